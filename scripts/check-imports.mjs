#!/usr/bin/env node
// Import rules per folder, checked in CI: the engine knows nothing of HTTP or sockets, routes and
// socket handlers know nothing of Playwright, the shared schema depends on zod only, the demo
// site never reaches into Turnout's server. A rule holds for everything a file loads, directly or
// through the project's own modules (`import type` loads nothing and is not followed); a
// violation names the chain that leads to it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const RULES = [
  { folder: 'schema', allow: (spec) => spec === 'zod' || spec === 'node:url', why: 'the shared schema depends on zod only' },
  { folder: 'server/src/engine', deny: /^(express|socket\.io|node:http|node:https|bullmq|ioredis|better-sqlite3)$/, why: 'the engine knows nothing of HTTP, sockets, Redis or the store' },
  // A run may start its own sink (replay.ts); no step executor speaks SMTP.
  { folder: 'server/src/engine', direct: true, allow: (spec) => spec !== 'smtp-server', why: 'the engine waits for mail through a Mailbox; it runs no SMTP server itself' },
  { folder: 'server/src/mail', deny: /^(playwright-core|express|socket\.io)$/, why: 'the sink knows nothing of browsers or routes' },
  { folder: 'server/src/runs', deny: /^(playwright-core|express|socket\.io)$/, why: 'runs are aggregated and stored, not replayed: the engine is handed in' },
  // http/server.ts is the server's composition root: it hands the engine to the run manager.
  { folder: 'server/src/http', except: ['server/src/http/server.ts'], deny: /^(playwright-core)$/, why: 'routes know nothing of Playwright' },
  { folder: 'server/src/realtime', deny: /^(playwright-core|express)$/, why: 'socket handlers know nothing of Playwright or routes' },
  { folder: 'scenarios/demo-site', deny: /^(playwright-core)$|^server\//, why: 'the demo target is a stand-alone site' },
  { folder: 'ui/src', deny: /^(playwright-core|zod|express)$|^server\//, why: 'the dashboard takes types and pure helpers from the schema, nothing that runs on the server' },
  {
    folder: 'extension/src/content',
    direct: true,
    allow: (spec, line) => spec.startsWith('./') || spec === '../shared/scrub.js' || /^\s*import type /.test(line),
    why: 'content scripts run in every page: their own files, and types only from outside',
  },
];

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

const IMPORT = /(?:^|\n)\s*((?:import|export)(?!\s+type\b)[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\))/g;

/** The value imports of a file: [specifier, the statement]. Type-only imports load nothing. */
const importsCache = new Map();
function importsOf(file) {
  if (!importsCache.has(file)) {
    const text = readFileSync(file, 'utf8');
    importsCache.set(file, [...text.matchAll(IMPORT)].map((m) => [m[2] ?? m[3], m[1].trim()]));
  }
  return importsCache.get(file);
}

/** A relative specifier as the file it names (`./x.js` is written for `./x.ts`). */
function resolveLocal(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Every package and project file a file loads, directly or through local modules: name → the chain to it. */
function reachablePackages(file) {
  const seen = new Set([file]);
  const found = new Map();
  const queue = [[file, [relative('.', file)]]];
  while (queue.length) {
    const [current, chain] = queue.shift();
    for (const [spec] of importsOf(current)) {
      const local = resolveLocal(current, spec);
      if (local) {
        if (!seen.has(local)) {
          seen.add(local);
          const path = relative('.', local);
          found.set(path, chain);
          queue.push([local, [...chain, path]]);
        }
      } else if (!spec.startsWith('.') && !found.has(spec)) {
        found.set(spec, chain);
      }
    }
  }
  return found;
}

let problems = 0;
for (const rule of RULES) {
  for (const file of files(rule.folder).filter((f) => !rule.except?.includes(relative('.', f)))) {
    if (rule.direct) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
        if (!rule.allow(m[1], m[0].trim())) {
          problems++;
          console.error(`${relative('.', file)}: imports "${m[1]}" — ${rule.why}`);
        }
      }
      continue;
    }
    for (const [spec, chain] of reachablePackages(file)) {
      const local = /\.(ts|js|mjs)$/.test(spec) && !spec.startsWith('node:');
      if (local && !rule.deny) continue; // an allow-list names packages; local files are followed
      const bad = rule.allow ? !rule.allow(spec) : rule.deny.test(spec);
      if (bad) {
        problems++;
        console.error(`${relative('.', file)}: loads "${spec}" (${chain.join(' → ')}) — ${rule.why}`);
      }
    }
  }
}
if (problems) process.exit(1);
console.log('import rules hold');
