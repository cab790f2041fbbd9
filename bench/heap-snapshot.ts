// What a V8 heap snapshot holds, by kind of object, and what grew between two: the soak's way to
// tell a heap that only looks bigger (V8 collects lazily) from one that keeps more and more live
// objects. Writing a snapshot starts with a full garbage collection, so its total is the live heap.
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  /** Bytes of every object still reachable. */
  totalBytes: number;
  /** By kind ("object Foo", "closure bar", "string"…): how many and their own bytes. */
  groups: Map<string, { count: number; bytes: number }>;
}

/** Objects and closures by constructor or function name; strings, arrays and the like by their type alone. */
const NAMED = new Set(['object', 'closure', 'native']);

/**
 * V8's code by what it is: a rise in machine code with deoptimization data, while the functions
 * with bytecode stay as many, is the optimizing compiler working on functions the process already
 * had (more of them hot), not new functions piling up (an `eval` or `new Function` per request).
 */
function codeKind(name: string): string {
  if (name === '') return 'code: machine code';
  if (name === '(code deopt data)') return 'code: deoptimization data (optimized functions only)';
  if (name === '(code relocation info)') return 'code: relocation info';
  if (name.startsWith('(code for ')) return 'code: code of named functions and builtins';
  if (name === 'system / BytecodeArray') return 'code: bytecode (one per compiled function)';
  if (name === 'system / FeedbackVector') return 'code: feedback vectors';
  return 'code: other';
}

export function summarizeSnapshot(path: string): HeapSummary {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const groups = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let i = 0; i < raw.nodes.length; i += fields.length) {
    const type = types[raw.nodes[i + typeAt]!] ?? '?';
    const bytes = raw.nodes[i + sizeAt]!;
    const name = raw.strings[raw.nodes[i + nameAt]!] ?? '';
    const key = NAMED.has(type) ? `${type} ${name}` : type === 'code' ? codeKind(name) : type;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += bytes;
    groups.set(key, g);
    totalBytes += bytes;
  }
  return { totalBytes, groups };
}

/** How many of a kind a snapshot holds (0 when none). */
export const countOf = (heap: HeapSummary, key: string): number => heap.groups.get(key)?.count ?? 0;

/** The kinds whose bytes grew most from `before` to `after`, largest first. */
export function heapGrowth(before: HeapSummary, after: HeapSummary, top = 8): { key: string; count: number; bytes: number }[] {
  return [...after.groups]
    .map(([key, g]) => ({ key, count: g.count - (before.groups.get(key)?.count ?? 0), bytes: g.bytes - (before.groups.get(key)?.bytes ?? 0) }))
    .filter((g) => g.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}
