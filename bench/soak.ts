// `npm run soak -- --minutes 30` (not in CI): `turnout serve` in its own process replays the demo
// enrollment for 20 people with faults, run after run, while the server's RSS and heap, its
// Chromium processes and page renderers, open file descriptors and the database and artifacts
// sizes are sampled every 30 s. Each run is checked person by person against the demo site's
// own record. Writes the "Soak" section of BENCHMARKS.md (table, SVG chart, verdict).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FAULT_KINDS } from '../scenarios/demo-site/faults.js';
import type { LiveRunSummary, RunInfo } from '../schema/index.js';
import { freePort } from '../test/helpers/servers.js';
import { countOf, heapGrowth, summarizeSnapshot, type HeapSummary } from './heap-snapshot.js';
import { machine } from './measure.js';
import { judge, signed, type Sample } from './soak-verdict.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const MINUTES = arg('--minutes', 30);
const SAMPLE_MS = arg('--sample-seconds', 30) * 1000;
const WARM_UP_MS = Math.min(5 * 60_000, (MINUTES * 60_000) / 3);
const PEOPLE = 20;
// The server keeps this many runs (`--retain-runs`), and with them their people's mail and
// screenshots: at about 40 s a run, all it keeps by design is full within warm-up, so what still
// rises after it is not a bound filling up. `--retain-runs 0` keeps every run (the sink's own
// bound, 64 MB of mail, then takes days to fill).
const RETAIN_RUNS = arg('--retain-runs', 5);
const FAULTS = 'email-never-sent=10,broken-link=10,identity-hangs=10,submit-500=10';
// The server runs as `npm start` runs it: glibc capped at 2 malloc arenas (MALLOC_ARENA_MAX), so
// memory freed by V8's and libuv's threads is reused instead of fragmenting one arena per thread.
// `--malloc-arenas default` measures glibc's own default (8 per core) instead.
const ARENAS_AT = process.argv.indexOf('--malloc-arenas');
const ARENAS = ARENAS_AT >= 0 ? process.argv[ARENAS_AT + 1]! : '2';
// `--node-flags "--no-opt"`: extra flags for the server's node (V8's), to tell what a rise is made
// of — e.g. with the optimizing compiler off, V8 writes no optimized code as functions get hot.
const FLAGS_AT = process.argv.indexOf('--node-flags');
const NODE_FLAGS = FLAGS_AT >= 0 ? process.argv[FLAGS_AT + 1]!.split(/\s+/).filter(Boolean) : [];
// A run with other flags is a diagnosis, not the verdict on Turnout as it ships: its own section and chart.
const HEADING = NODE_FLAGS.length ? '## Soak, diagnosis (not as it ships)' : '## Soak';
const CHART = NODE_FLAGS.length ? 'docs/soak-diagnosis.svg' : 'docs/soak.svg';

/** Where a section of BENCHMARKS.md starts and ends (the next section, or the end). */
function sectionAt(doc: string, heading: string): { start: number; end: number } | null {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) return null;
  const next = doc.indexOf('\n## ', start + 1);
  return { start: start + 1, end: next < 0 ? doc.length : next + 1 };
}

const log = (line: string): void => void process.stderr.write(`[soak] ${line}\n`);
// `--heap-snapshots`: the server writes a V8 heap snapshot (a full GC first) when warm-up ends and
// at the end; the section then gives its live heap at both and what grew. Each snapshot pauses
// the server for a few seconds, so it is not the default.
const SNAPSHOTS = process.argv.includes('--heap-snapshots');

function processes(): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n');
}

function sizeMb(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size / 2 ** 20;
  return readdirSync(path).reduce((sum, f) => sum + sizeMb(join(path, f)), 0);
}

async function waitForUrl(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function chart(samples: Sample[]): string {
  const w = 640;
  const h = 220;
  const pad = 40;
  const maxT = Math.max(...samples.map((s) => s.atS), 1);
  const line = (values: number[], max: number, color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${samples.map((s, i) => `${(pad + (s.atS / maxT) * (w - 2 * pad)).toFixed(1)},${(h - pad - (values[i]! / max) * (h - 2 * pad)).toFixed(1)}`).join(' ')}"/>`;
  const maxRss = Math.max(...samples.map((s) => s.rssMb)) * 1.2;
  const maxChromium = Math.max(...samples.map((s) => s.chromium), 1) * 1.2;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">
<rect width="${w}" height="${h}" fill="white"/>
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/>
<text x="${pad}" y="16">server RSS (MB, blue, 0–${maxRss.toFixed(0)}) and Chromium processes (orange, 0–${maxChromium.toFixed(0)}) over ${(maxT / 60).toFixed(0)} min</text>
${line(samples.map((s) => s.rssMb), maxRss, '#1f77b4')}
${line(samples.map((s) => s.chromium), maxChromium, '#ff7f0e')}
</svg>
`;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

const BYTECODE = 'code: bytecode (one per compiled function)';
const DEOPT = 'code: deoptimization data (optimized functions only)';

/** The live heap at each snapshot, and what grew between the first and the last. */
function snapshotText(snapshots: readonly { atS: number; heap: HeapSummary }[]): string {
  const [first, last] = [snapshots[0], snapshots.at(-1)];
  if (!first || !last || first === last) return '';
  const minutes = (last.atS - first.atS) / 60;
  const grew = heapGrowth(first.heap, last.heap)
    .map((g) => `${g.key} ${signed(g.bytes / 2 ** 20)} MB (${signed(g.count, 0)})`)
    .join('; ');
  return `
Live heap after a full garbage collection (\`--heap-snapshots\`: V8 heap snapshots of the server): ${mb(first.heap.totalBytes)} at minute ${(first.atS / 60).toFixed(1)}, ${mb(last.heap.totalBytes)} at minute ${(last.atS / 60).toFixed(1)}: ${signed((last.heap.totalBytes - first.heap.totalBytes) / 2 ** 20 / minutes)} MB/min. Grew most: ${grew || 'nothing'}. Functions with bytecode: ${countOf(first.heap, BYTECODE)} → ${countOf(last.heap, BYTECODE)}; with deoptimization data (optimized by V8): ${countOf(first.heap, DEOPT)} → ${countOf(last.heap, DEOPT)}.
`;
}

/**
 * `npm run soak -- --rejudge`: judges the Soak section already in BENCHMARKS.md again from its own
 * table (per-space figures are not in the table and are left out), replacing its verdict.
 */
function rejudge(): void {
  const doc = readFileSync('BENCHMARKS.md', 'utf8');
  const found = sectionAt(doc, HEADING);
  if (!found) throw new Error(`BENCHMARKS.md has no "${HEADING}" section to judge again`);
  const section = doc.slice(found.start, found.end).trimEnd();
  const rows = section.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split('|').slice(1, -1).map((c) => Number(c.trim())));
  // Tables from before the mail column have 12 cells: their samples have no mail figure.
  const samples = rows.map(([minute, , rssMb, , heapTotalMb, outsideMb, chromium, , , , , externalMb, mailMb]) => ({
    atS: minute! * 60,
    rssMb: rssMb!,
    heapTotalMb: heapTotalMb!,
    outsideMb: outsideMb!,
    chromium: chromium!,
    ...(externalMb !== undefined ? { externalMb } : {}),
    ...(mailMb !== undefined ? { mailMb } : {}),
  }));
  const seen = /Chromium processes left between runs: (\d+); people whose failed step or pass differs from the site's record: (\d+) of (\d+)/.exec(section);
  if (!seen) throw new Error("the Soak section does not say what was left between runs and how many people were off");
  // The first heap snapshot, if the soak took them: judging starts after it.
  const snapshotAt = /\nLive heap after [^\n]*?MB at minute ([\d.]+)/.exec(section);
  const judged = judge(samples, { leftovers: Number(seen[1]), wrong: Number(seen[2]), people: Number(seen[3]), warmUpMs: 5 * 60_000, firstSnapshotS: snapshotAt ? Number(snapshotAt[1]) * 60 : undefined });
  const from = section.search(/\n(_Judged again|After the first )/);
  // What follows the verdict (the live heap from snapshots) is measured, not judged: kept.
  const heapAt = section.indexOf('\nLive heap after');
  const kept = heapAt > from ? section.slice(heapAt) : '';
  const note = `_Judged again with \`npm run soak -- --rejudge${NODE_FLAGS.length ? ` --node-flags "${NODE_FLAGS.join(' ')}"` : ''}\` on ${new Date().toISOString().slice(0, 10)}, from the table above._\n\n`;
  writeFileSync('BENCHMARKS.md', `${doc.slice(0, found.start)}${section.slice(0, from)}\n${note}${judged.text}${kept.trimEnd()}\n${found.end < doc.length ? `\n${doc.slice(found.end)}` : ''}`);
  log(`verdict: ${judged.steady ? 'steady' : 'NOT steady'}; rewrote the verdict of "${HEADING}"`);
}

async function main(): Promise<void> {
  mkdirSync(resolve('.turnout'), { recursive: true }); // a fresh clone has none yet
  const data = mkdtempSync(join(resolve('.turnout'), 'soak-'));
  const [port, smtpPort, sitePort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const site = spawn(resolve('node_modules/.bin/tsx'), ['bench/site-process.ts', String(sitePort), String(smtpPort), FAULTS], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(site);
  const env = { ...process.env };
  if (ARENAS === 'default') delete env.MALLOC_ARENA_MAX;
  else env.MALLOC_ARENA_MAX = ARENAS;
  const heapDir = join(data, 'heap');
  // Node writes snapshots there but does not make the folder: without it, the server dies on the signal.
  if (SNAPSHOTS) mkdirSync(heapDir);
  const nodeFlags = [...NODE_FLAGS, ...(SNAPSHOTS ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`] : [])];
  const server = spawn(process.execPath, [...nodeFlags, 'bin/turnout.js', 'serve', '--port', String(port), '--smtp-port', String(smtpPort), '--data', data, '--retain-runs', String(RETAIN_RUNS)], { stdio: ['ignore', 'ignore', 'inherit'], env });
  children.push(server);
  const api = `http://127.0.0.1:${port}`;
  const siteUrl = `http://127.0.0.1:${sitePort}`;
  const samples: Sample[] = [];
  const runLines: string[] = [];
  let leftovers = 0;
  let wrong = 0;
  let people = 0;
  const snapshots: { atS: number; heap: HeapSummary }[] = [];
  /** When the first heap snapshot was written whole: judging starts there. */
  let firstSnapshotS: number | undefined;
  /** Asks the server for a heap snapshot and waits until it is written whole. */
  const snapshot = async (atS: number): Promise<void> => {
    const before = new Set(existsSync(heapDir) ? readdirSync(heapDir) : []);
    process.kill(server.pid!, 'SIGUSR2');
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 500));
      if (server.exitCode !== null || server.signalCode !== null) throw new Error('the server exited while writing a heap snapshot');
      const file = existsSync(heapDir) ? readdirSync(heapDir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot')) : undefined;
      // V8 writes the snapshot on the server's main thread: once /api/health answers, it is done.
      if (file && (await fetch(`${api}/api/health`).then((r) => r.ok, () => false))) {
        snapshots.push({ atS, heap: summarizeSnapshot(join(heapDir, file)) });
        log(`heap snapshot at minute ${(atS / 60).toFixed(1)}: ${(snapshots.at(-1)!.heap.totalBytes / 2 ** 20).toFixed(1)} MB live`);
        return;
      }
    }
    throw new Error('the server wrote no heap snapshot within 5 minutes');
  };
  try {
    await waitForUrl(`${api}/api/health`);
    await waitForUrl(`${siteUrl}/`);
    const scenario = JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8'));
    const stored = (await (await fetch(`${api}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) })).json()) as { id: string };
    const steps = (scenario as { steps: { name?: string }[] }).steps;
    const stepNamed = (name: string): number => steps.findIndex((s) => s.name === name);
    const faultStep: Record<string, number> = { 'email-never-sent': stepNamed('confirm-email'), 'broken-link': stepNamed('open-confirmation'), 'identity-hangs': stepNamed('identity-check'), 'submit-500': stepNamed('submit') };

    const t0 = Date.now();
    const sample = async (): Promise<void> => {
      const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
      const metrics = await (await fetch(`${api}/metrics`)).text();
      const metric = (name: string): number => Number(new RegExp(`^turnout_process_${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? 0) / 2 ** 20;
      const ps = processes();
      const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      const heapTotalMb = metric('nodejs_heap_size_total_bytes');
      samples.push({
        atS: Math.round((Date.now() - t0) / 1000),
        rssMb,
        heapMb: metric('nodejs_heap_size_used_bytes'),
        heapTotalMb,
        outsideMb: rssMb - heapTotalMb,
        externalMb: metric('nodejs_external_memory_bytes'),
        spacesMb: Object.fromEntries(
          [...metrics.matchAll(/^turnout_process_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)/gm)].map((m) => [m[1]!, Number(m[2]) / 2 ** 20]),
        ),
        chromium: ps.filter((l) => l.includes('/usr/lib/chromium/')).length,
        renderers: ps.filter((l) => l.includes('/usr/lib/chromium/') && l.includes('--type=renderer')).length,
        fds: readdirSync(`/proc/${server.pid}/fd`).length,
        dbMb: sizeMb(join(data, 'turnout.db')) + sizeMb(join(data, 'turnout.db-wal')),
        artifactsMb: sizeMb(join(data, 'artifacts')),
        mailMb: Number(/^turnout_mail_kept_bytes (\S+)/m.exec(metrics)?.[1] ?? 0) / 2 ** 20,
        runs: runLines.length,
      });
    };
    await sample();
    const sampler = setInterval(() => void sample().catch(() => undefined), SAMPLE_MS);
    try {
      while (Date.now() - t0 < MINUTES * 60_000) {
        const run = (await (await fetch(`${api}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: stored.id, users: PEOPLE, concurrency: 10, baseUrl: siteUrl }) })).json()) as RunInfo;
        for (;;) {
          const info = ((await (await fetch(`${api}/api/runs`)).json()) as RunInfo[]).find((r) => r.id === run.id);
          if (info && info.status !== 'running') break;
          await new Promise((r) => setTimeout(r, 500));
        }
        const summary = (await (await fetch(`${api}/api/runs/${run.id}`)).json()) as LiveRunSummary;
        const truth = ((await (await fetch(`${siteUrl}/__turnout/truth`)).json()) as { people: { email: string; fault: string }[] }).people;
        let off = 0;
        for (const r of summary.results) {
          const fault = truth.find((t) => t.email === r.email)?.fault ?? 'never reached the site';
          const right = fault === 'none' ? r.status === 'passed' : (FAULT_KINDS as readonly string[]).includes(fault) && r.failedStep === faultStep[fault];
          if (!right) off++;
        }
        wrong += off;
        people += summary.results.length;
        // Between runs nothing of the run may be left: no browser, no page (helpers get 10 s to exit).
        let left = 0;
        for (let i = 0; i < 20; i++) {
          left = processes().filter((l) => l.includes('/usr/lib/chromium/')).length;
          if (left === 0) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        leftovers += left;
        if (SNAPSHOTS && snapshots.length === 0 && Date.now() - t0 >= WARM_UP_MS) {
          await snapshot(Math.round((Date.now() - t0) / 1000));
          firstSnapshotS = Math.round((Date.now() - t0) / 1000);
        }
        runLines.push(`${runLines.length + 1}: ${summary.users.passed}/${summary.users.total} passed, ${off} attribution(s) off, ${left} Chromium process(es) left after`);
        log(runLines.at(-1)!);
      }
    } finally {
      clearInterval(sampler);
    }
    await sample();
    if (SNAPSHOTS) await snapshot(Math.round((Date.now() - t0) / 1000));
  } finally {
    for (const c of children) c.kill('SIGTERM');
  }

  const judged = judge(samples, { leftovers, wrong, people, warmUpMs: WARM_UP_MS, firstSnapshotS });
  writeFileSync(CHART, chart(samples));
  const rows = samples.map((s) => `| ${(s.atS / 60).toFixed(1)} | ${s.runs} | ${s.rssMb.toFixed(0)} | ${s.heapMb.toFixed(0)} | ${s.heapTotalMb.toFixed(0)} | ${s.outsideMb.toFixed(0)} | ${s.chromium} | ${s.renderers} | ${s.fds} | ${s.dbMb.toFixed(1)} | ${s.artifactsMb.toFixed(1)} | ${s.externalMb.toFixed(1)} | ${s.mailMb.toFixed(2)} |`);
  const section = `${HEADING}

Produced by \`npm run soak -- --minutes ${MINUTES}${SNAPSHOTS ? ' --heap-snapshots' : ''}${NODE_FLAGS.length ? ` --node-flags "${NODE_FLAGS.join(' ')}"` : ''}\` on ${new Date().toISOString().slice(0, 10)} (machine: ${machine()}): \`turnout serve\` in its own process${NODE_FLAGS.length ? ` (node ${NODE_FLAGS.join(' ')}: not as it ships)` : ''} ${ARENAS === 'default' ? "with glibc's default malloc arenas" : `with MALLOC_ARENA_MAX=${ARENAS} (as \`npm start\` runs it)`}, the demo site in another with ${FAULTS}; the server keeps ${RETAIN_RUNS ? `the newest ${RETAIN_RUNS} runs (\`--retain-runs ${RETAIN_RUNS}\`), with their people's mail and screenshots, so what it keeps by design is full before warm-up ends` : 'every run (`--retain-runs 0`)'}; runs of ${PEOPLE} people, 10 at once, back to back (${runLines.length} runs, ${people} people); a sample every ${SAMPLE_MS / 1000} s.

![server RSS and Chromium processes over the soak](${CHART})

| minute | runs done | server RSS MB | heap used MB | heap committed MB | outside V8 heap MB | Chromium processes | renderers | open fds | SQLite MB | artifacts MB | Buffers (external) MB | mail kept MB |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

${judged.text}${snapshotText(snapshots)}`;
  const doc = readFileSync('BENCHMARKS.md', 'utf8');
  const at = sectionAt(doc, HEADING);
  const rest = at && at.end < doc.length ? `\n${doc.slice(at.end)}` : '';
  writeFileSync('BENCHMARKS.md', `${(at ? doc.slice(0, at.start) : doc).trimEnd()}\n\n${section.trimEnd()}\n${rest}`);
  log(`verdict: ${judged.steady ? 'steady' : 'NOT steady'}; wrote the "${HEADING}" section of BENCHMARKS.md and ${CHART}`);
  process.exitCode = judged.steady ? 0 : 1;
}

if (process.argv.includes('--rejudge')) rejudge();
else await main();
