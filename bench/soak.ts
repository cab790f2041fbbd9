// `npm run soak -- --minutes 30` (not in CI): `turnout serve` in its own process replays the demo
// enrollment for 20 people with faults, run after run, while the server's RSS and heap, its
// Chromium processes and page renderers, open file descriptors and the database and artifacts
// sizes are sampled every 30 s. Each run is checked person by person against the demo site's
// own record. Writes the "Soak" section of BENCHMARKS.md (table, SVG chart, verdict).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FAULT_KINDS } from '../scenarios/demo-site/faults.js';
import type { LiveRunSummary, RunInfo } from '../schema/index.js';
import { freePort } from '../test/helpers/servers.js';
import { machine } from './measure.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const MINUTES = arg('--minutes', 30);
const SAMPLE_MS = arg('--sample-seconds', 30) * 1000;
const WARM_UP_MS = Math.min(5 * 60_000, (MINUTES * 60_000) / 3);
const PEOPLE = 20;
const FAULTS = 'email-never-sent=10,broken-link=10,identity-hangs=10,submit-500=10';
// The server runs as `npm start` runs it: glibc capped at 2 malloc arenas (MALLOC_ARENA_MAX), so
// memory freed by V8's and libuv's threads is reused instead of fragmenting one arena per thread.
// `--malloc-arenas default` measures glibc's own default (8 per core) instead.
const ARENAS_AT = process.argv.indexOf('--malloc-arenas');
const ARENAS = ARENAS_AT >= 0 ? process.argv[ARENAS_AT + 1]! : '2';
const log = (line: string): void => void process.stderr.write(`[soak] ${line}\n`);

interface Sample {
  atS: number;
  rssMb: number;
  heapMb: number;
  /** V8's committed heap, and what the process holds outside it (RSS minus that). */
  heapTotalMb: number;
  outsideMb: number;
  /** V8's committed memory by space (new_space, old_space, code_space, large_object_space…). */
  spacesMb: Record<string, number>;
  chromium: number;
  renderers: number;
  fds: number;
  dbMb: number;
  artifactsMb: number;
  runs: number;
}

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

/** Least-squares slope of y over x, and the spread of what the line does not explain. */
function trend(xs: number[], ys: number[]): { slope: number; residualSd: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx : 0;
  const residualSd = Math.sqrt(ys.reduce((a, y, i) => a + (y - (my + slope * (xs[i]! - mx))) ** 2, 0) / Math.max(1, n - 2));
  return { slope, residualSd };
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

async function main(): Promise<void> {
  const data = mkdtempSync(join(resolve('.turnout'), 'soak-'));
  const [port, smtpPort, sitePort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const site = spawn(resolve('node_modules/.bin/tsx'), ['bench/site-process.ts', String(sitePort), String(smtpPort), FAULTS], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(site);
  const env = { ...process.env };
  if (ARENAS === 'default') delete env.MALLOC_ARENA_MAX;
  else env.MALLOC_ARENA_MAX = ARENAS;
  const server = spawn(process.execPath, ['bin/turnout.js', 'serve', '--port', String(port), '--smtp-port', String(smtpPort), '--data', data], { stdio: ['ignore', 'ignore', 'inherit'], env });
  children.push(server);
  const api = `http://127.0.0.1:${port}`;
  const siteUrl = `http://127.0.0.1:${sitePort}`;
  const samples: Sample[] = [];
  const runLines: string[] = [];
  let leftovers = 0;
  let wrong = 0;
  let people = 0;
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
        spacesMb: Object.fromEntries(
          [...metrics.matchAll(/^turnout_process_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)/gm)].map((m) => [m[1]!, Number(m[2]) / 2 ** 20]),
        ),
        chromium: ps.filter((l) => l.includes('/usr/lib/chromium/')).length,
        renderers: ps.filter((l) => l.includes('/usr/lib/chromium/') && l.includes('--type=renderer')).length,
        fds: readdirSync(`/proc/${server.pid}/fd`).length,
        dbMb: sizeMb(join(data, 'turnout.db')) + sizeMb(join(data, 'turnout.db-wal')),
        artifactsMb: sizeMb(join(data, 'artifacts')),
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
        runLines.push(`${runLines.length + 1}: ${summary.users.passed}/${summary.users.total} passed, ${off} attribution(s) off, ${left} Chromium process(es) left after`);
        log(runLines.at(-1)!);
      }
    } finally {
      clearInterval(sampler);
    }
    await sample();
  } finally {
    for (const c of children) c.kill('SIGTERM');
  }

  const steady = samples.filter((s) => s.atS * 1000 >= WARM_UP_MS);
  const rss = trend(steady.map((s) => s.atS / 60), steady.map((s) => s.rssMb));
  const heapTrend = trend(steady.map((s) => s.atS / 60), steady.map((s) => s.heapTotalMb));
  const outsideTrend = trend(steady.map((s) => s.atS / 60), steady.map((s) => s.outsideMb));
  const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;
  // Where V8's part goes: each space's committed size, its trend after warm-up.
  const spaces = Object.keys(steady[0]?.spacesMb ?? {}).map((space) => ({ space, slope: trend(steady.map((s) => s.atS / 60), steady.map((s) => s.spacesMb[space] ?? 0)).slope }));
  const bySpace = spaces.filter((sp) => Math.abs(sp.slope) >= 0.01).map((sp) => `${sp.space} ${signed(sp.slope)}`).join(', ');
  const chromiumTrend = trend(steady.map((s) => s.atS / 60), steady.map((s) => s.chromium));
  const span = steady.length > 1 ? (steady.at(-1)!.atS - steady[0]!.atS) / 60 : 0;
  // "Within noise": over the steady span the fitted line moves less than twice the scatter around it.
  const rssFlat = Math.abs(rss.slope * span) <= Math.max(2 * rss.residualSd, 5);
  const chromiumFlat = Math.abs(chromiumTrend.slope * span) <= Math.max(2 * chromiumTrend.residualSd, 1);
  const verdict = rssFlat && chromiumFlat && leftovers === 0 && wrong === 0;
  writeFileSync('docs/soak.svg', chart(samples));
  const rows = samples.map((s) => `| ${(s.atS / 60).toFixed(1)} | ${s.runs} | ${s.rssMb.toFixed(0)} | ${s.heapMb.toFixed(0)} | ${s.heapTotalMb.toFixed(0)} | ${s.outsideMb.toFixed(0)} | ${s.chromium} | ${s.renderers} | ${s.fds} | ${s.dbMb.toFixed(1)} | ${s.artifactsMb.toFixed(1)} |`);
  const section = `## Soak

Produced by \`npm run soak -- --minutes ${MINUTES}\` on ${new Date().toISOString().slice(0, 10)} (machine: ${machine()}): \`turnout serve\` in its own process ${ARENAS === 'default' ? "with glibc's default malloc arenas" : `with MALLOC_ARENA_MAX=${ARENAS} (as \`npm start\` runs it)`}, the demo site in another with ${FAULTS}; runs of ${PEOPLE} people, 10 at once, back to back (${runLines.length} runs, ${people} people); a sample every ${SAMPLE_MS / 1000} s.

![server RSS and Chromium processes over the soak](docs/soak.svg)

| minute | runs done | server RSS MB | heap used MB | heap committed MB | outside V8 heap MB | Chromium processes | renderers | open fds | SQLite MB | artifacts MB |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

After the first ${(WARM_UP_MS / 60_000).toFixed(0)} minutes: server RSS ${signed(rss.slope)} MB/min (scatter ${rss.residualSd.toFixed(1)} MB; of it, V8's committed heap ${signed(heapTrend.slope)} MB/min${bySpace ? ` (${bySpace})` : ''} and the rest ${signed(outsideTrend.slope)} MB/min), Chromium processes ${signed(chromiumTrend.slope)}/min; Chromium processes left between runs: ${leftovers}; people whose failed step or pass differs from the site's record: ${wrong} of ${people}.

**Verdict: ${verdict ? 'steady' : 'NOT steady'}** — RSS ${rssFlat ? 'flat within noise' : 'trending'}, Chromium ${chromiumFlat ? 'flat within noise' : 'trending'}, ${leftovers === 0 ? 'nothing left between runs' : 'processes left between runs'}, ${wrong === 0 ? 'every attribution matches the ground truth' : 'attributions off'}.
`;
  const doc = readFileSync('BENCHMARKS.md', 'utf8');
  const at = doc.indexOf('## Soak');
  writeFileSync('BENCHMARKS.md', `${at >= 0 ? doc.slice(0, at).trimEnd() : doc.trimEnd()}\n\n${section}`);
  log(`verdict: ${verdict ? 'steady' : 'NOT steady'}; wrote the Soak section of BENCHMARKS.md and docs/soak.svg`);
  process.exitCode = verdict ? 0 : 1;
}

await main();
