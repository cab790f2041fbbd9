// `tsx bench/ingest-heap.ts [runs] [warm-up runs]` (not in CI): the server's own per-run work,
// without browsers. Streamed runs (what `turnout replay --server` sends: 20 people, the demo's
// steps, one in five failing) back to back, polled as the soak polls; the server's live heap
// (a heap snapshot, after a full GC) after the warm-up runs and at the end, and what grew.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { summarizeSnapshot, heapGrowth } from './heap-snapshot.js';
import { freePort } from '../test/helpers/servers.js';

const RUNS = Number(process.argv[2] ?? 200);
const WARM = Number(process.argv[3] ?? 30);
mkdirSync(resolve('.turnout'), { recursive: true }); // a fresh clone has none yet
const data = mkdtempSync(join(resolve('.turnout'), 'ingest-'));
const heapDir = join(data, 'heap');
mkdirSync(heapDir);
const [port, smtp] = [await freePort(), await freePort()];
// Run as `npm start` runs it (MALLOC_ARENA_MAX=2); snapshots go to a folder that must exist.
const server = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`, 'bin/turnout.js', 'serve', '--port', String(port), '--smtp-port', String(smtp), '--data', data], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MALLOC_ARENA_MAX: '2' } });
const api = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200; i++) { if (await fetch(`${api}/api/health`).then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 100)); }
const scenario = JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8'));
const post = (path: string, body: unknown) => fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
const snap = async (): Promise<ReturnType<typeof summarizeSnapshot>> => {
  const before = new Set(existsSync(heapDir) ? readdirSync(heapDir) : []);
  process.kill(server.pid!, 'SIGUSR2');
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const f = existsSync(heapDir) ? readdirSync(heapDir).find((x) => !before.has(x) && x.endsWith('.heapsnapshot')) : undefined;
    if (f && (await fetch(`${api}/api/health`).then((r) => r.ok, () => false))) return summarizeSnapshot(join(heapDir, f));
  }
};
let first: ReturnType<typeof summarizeSnapshot> | null = null;
const steps = scenario.steps.length;
for (let r = 1; r <= RUNS; r++) {
  const runId = `ingest-${r}`;
  await post('/api/runs/external', { runId, scenario, planned: 20, options: {} });
  for (let k = 1; k <= 20; k++) {
    const now = new Date().toISOString();
    const email = `p${k}.${r}@inbox.turnout.test`;
    const failed = k % 5 === 0;
    const events = [
      { kind: 'personStarted', user: k, email },
      ...Array.from({ length: failed ? 10 : steps }, (_, s) => ({ kind: 'stepFinished', user: k, result: { index: s, status: failed && s === 9 ? 'failed' : 'passed', startedAt: now, durationMs: 100 + s, matchedSelector: `#sel-${s}` } })),
      { kind: 'personFinished', person: { user: k, email, status: failed ? 'failed' : 'passed', failedStep: failed ? 9 : null, errorClass: failed ? 'email-timeout' : null, error: failed ? `no email for ${email} within 10 s` : null, url: failed ? 'http://127.0.0.1:4100/account/check-email?email=x' : null, httpStatus: 200, screenshot: null, trace: null, httpProblems: [], blocked: {}, startedAt: now, durationMs: 800, steps: [], worker: null } },
    ];
    await post(`/api/runs/${runId}/events`, events);
    await fetch(`${api}/api/runs`).then((x) => x.text());
  }
  await post(`/api/runs/${runId}/finish`, { status: 'finished', options: {} });
  await fetch(`${api}/api/runs/${runId}`).then((x) => x.text());
  await fetch(`${api}/metrics`).then((x) => x.text());
  if (r === WARM) { first = await snap(); console.log(`run ${r}: live ${(first.totalBytes / 2 ** 20).toFixed(2)} MB, rss ${rss().toFixed(0)}`); }
  if (r % 50 === 0) console.log(`run ${r}: rss ${rss().toFixed(0)} MB`);
}
const last = await snap();
console.log(`run ${RUNS}: live ${(last.totalBytes / 2 ** 20).toFixed(2)} MB, rss ${rss().toFixed(0)}`);
for (const g of heapGrowth(first!, last, 12)) console.log(`${(g.bytes / 1024).toFixed(0)} KB ${g.count >= 0 ? '+' : ''}${g.count} ${g.key}`);
server.kill('SIGTERM');
