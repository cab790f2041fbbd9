// `npm run bench` (full, writes BENCHMARKS.md) and `npm run bench -- --quick` (a smoke run for CI:
// same code, fewer people and runs, written to .turnout/bench/BENCHMARKS.quick.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { dashboardLag, sinkThroughput, chromeReplayer } from './in-process.js';
import { fmt, machine, pssPeak, stat, timed, type Stat } from './measure.js';
import { freePort } from '../test/helpers/servers.js';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : 5;
const CAPACITY_RUNS = QUICK ? 1 : 3;
const TSX = resolve('node_modules/.bin/tsx');
const work = mkdtempSync(join(resolve('.turnout'), 'bench-'));
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

async function startSite(smtpPort: number): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(TSX, ['bench/site-process.ts', '0', String(smtpPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((r) => child.stdout!.once('data', (d: Buffer) => r(d.toString().trim())));
  return { url, process: child };
}

const turnoutRun = (site: string, smtp: number, users: number, c: number, extra: string[] = []) =>
  timed(['node', 'bin/turnout.js', 'replay', 'scenarios/demo-enrollment.json', '--users', String(users), '--concurrency', String(c), '--base-url', site, '--smtp-port', String(smtp), '--data', join(work, 'data'), '--artifacts', join(work, 'artifacts'), ...extra]);
/**
 * The yardstick starts the way Turnout does: plain JavaScript built beforehand (Turnout runs from
 * dist/cli), not TypeScript compiled at start-up, which would tilt every ratio toward Turnout.
 */
const YARDSTICK = join(work, 'handwritten.mjs');
await build({ entryPoints: ['bench/handwritten.ts'], outfile: YARDSTICK, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
const handRun = (site: string, smtp: number, users: number, c: number, kind = 'headless-shell', browsers?: number) =>
  timed(['node', YARDSTICK, site, String(smtp), String(users), String(c), kind, ...(browsers ? [String(browsers)] : [])]);

function check(label: string, ok: boolean): void {
  if (!ok) throw new Error(`${label}: not every person passed — the numbers would mean nothing`);
}

async function overhead(site: string, smtp: number): Promise<string> {
  const rows: string[] = [];
  for (const c of QUICK ? [1, 4] : [1, 10, 50]) {
    const hand = { wall: [] as number[], cpu: [] as number[] };
    const ours = { wall: [] as number[], cpu: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      // Alternate the order so drift in the machine hits both alike.
      for (const which of r % 2 ? ['turnout', 'hand'] : ['hand', 'turnout']) {
        const t = which === 'hand' ? await handRun(site, smtp, c, c) : await turnoutRun(site, smtp, c, c);
        check(`${which} c=${c}`, which === 'hand' ? JSON.parse(t.stdout.trim().split('\n').at(-1) ?? '{}').passed === c : t.code === 0);
        (which === 'hand' ? hand : ours).wall.push(t.wallMs / 1000);
        (which === 'hand' ? hand : ours).cpu.push(t.cpuS);
      }
      log(`overhead c=${c} run ${r + 1}/${RUNS}`);
    }
    const [hw, ow, hc, oc] = [stat(hand.wall), stat(ours.wall), stat(hand.cpu), stat(ours.cpu)];
    rows.push(`| ${c} | ${fmt(hw, ' s')} | ${fmt(ow, ' s')} | **${(ow.median / hw.median).toFixed(2)}×** | ${fmt(hc, ' s')} | ${fmt(oc, ' s')} | **${(oc.median / hc.median).toFixed(2)}×** |`);
  }
  return `| people = concurrency | hand-written wall | Turnout wall | ratio | hand-written CPU | Turnout CPU | ratio |\n|---:|---:|---:|---:|---:|---:|---:|\n${rows.join('\n')}`;
}

interface CapacityPoint {
  flows: Stat;
  pss: Stat;
}

/**
 * Runs each configuration CAPACITY_RUNS times, taking turns (in alternating order), so that the
 * machine drifting (a shared VM's neighbours) hits every configuration alike.
 */
async function capacityPoints(runs: (() => Promise<{ passed: number; wallMs: number }>)[], concurrency: number): Promise<CapacityPoint[]> {
  const flows = runs.map(() => [] as number[]);
  const pss = runs.map(() => [] as number[]);
  for (let r = 0; r < CAPACITY_RUNS; r++) {
    const order = runs.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const stop = pssPeak();
      const t = await runs[i]!();
      pss[i]!.push(stop() / concurrency);
      flows[i]!.push(t.passed / (t.wallMs / 60_000));
    }
  }
  return runs.map((_, i) => ({ flows: stat(flows[i]!), pss: stat(pss[i]!) }));
}

async function capacity(site: string, smtp: number): Promise<string> {
  const levels = QUICK ? [1, 4] : [1, 10, 25, 50, 100];
  // Twice the crowd in all, so that most people start when others finish (a steady state), but
  // at most 120: the last point is about where the knee is, not a second half-hour.
  const peopleAt = (c: number): number => Math.min(120, Math.max(2, c * 2));
  const passedOf = (t: { stdout: string; code: number | null }, users: number, hand: boolean): number =>
    hand ? Number(JSON.parse(t.stdout.trim().split('\n').at(-1) ?? '{}').passed ?? 0) : Number(/(\d+) people: (\d+) passed/.exec(t.stdout)?.[2] ?? (t.code === 0 ? users : 0));
  const rows: string[] = [];
  let bestRaw = 0;
  let bestOurs = 0;
  for (const c of levels) {
    const users = peopleAt(c);
    const [ours, raw] = (await capacityPoints(
      [
        async () => {
          const t = await turnoutRun(site, smtp, users, c);
          return { passed: passedOf(t, users, false), wallMs: t.wallMs };
        },
        async () => {
          const t = await handRun(site, smtp, users, c);
          return { passed: passedOf(t, users, true), wallMs: t.wallMs };
        },
      ],
      c,
    )) as [CapacityPoint, CapacityPoint];
    bestRaw = Math.max(bestRaw, raw.flows.median);
    bestOurs = Math.max(bestOurs, ours.flows.median);
    rows.push(`| ${c} | ${fmt(ours.flows, '', 0)} | ${fmt(raw.flows, '', 0)} | ${fmt(ours.pss, ' MB', 0)} | ${fmt(raw.pss, ' MB', 0)} |`);
    log(`capacity c=${c}`);
  }
  // The configurations compared where throughput has levelled off (past the knee on 2 cores).
  const c = QUICK ? 1 : 25;
  const users = peopleAt(c);
  const variants: [string, () => Promise<{ passed: number; wallMs: number }>][] = [
    ['Turnout, headless-shell, one browser per core', async () => { const t = await turnoutRun(site, smtp, users, c); return { passed: passedOf(t, users, false), wallMs: t.wallMs }; }],
    ['Turnout, headless-shell, one browser', async () => { const t = await turnoutRun(site, smtp, users, c, ['--browsers', '1']); return { passed: passedOf(t, users, false), wallMs: t.wallMs }; }],
    ['Turnout, new headless (full Chromium), one per core', async () => { const t = await turnoutRun(site, smtp, users, c, ['--browser', 'chromium']); return { passed: passedOf(t, users, false), wallMs: t.wallMs }; }],
    ['plain Playwright, new headless, one per core', async () => { const t = await handRun(site, smtp, users, c, 'chromium'); return { passed: passedOf(t, users, true), wallMs: t.wallMs }; }],
  ];
  const points = await capacityPoints(variants.map(([, run]) => run), c);
  const variantRows = variants.map(([label], i) => `| ${label} | ${fmt(points[i]!.flows, '', 0)} | ${fmt(points[i]!.pss, ' MB', 0)} |`);
  log('variants');
  return `Completed enrollments per minute and Chromium memory (PSS, peak ÷ people running) by concurrency; ${CAPACITY_RUNS} run(s) per point, taken in turns with the configurations compared, ${levels.map(peopleAt).join('/')} people in all.

| concurrent people | Turnout flows/min | plain Playwright flows/min | Turnout PSS/person | plain PSS/person |
|---:|---:|---:|---:|---:|
${rows.join('\n')}

Best Turnout ${bestOurs.toFixed(0)} flows/min vs best plain Playwright ${bestRaw.toFixed(0)}: **${(bestOurs / bestRaw).toFixed(2)}×** (goal ≥ 0.9×).

At ${c} concurrent people (${users} in all):

| configuration | flows/min | PSS/person |
|---|---:|---:|
${variantRows.join('\n')}`;
}

async function main(): Promise<void> {
  mkdirSync(resolve('.turnout'), { recursive: true });
  const smtp = await freePort();
  const site = await startSite(smtp);
  const sections: string[] = [];
  try {
    log('1/5 engine overhead');
    // One warm-up of each, so the file cache is warm before anything is measured.
    await handRun(site.url, smtp, 1, 1);
    await turnoutRun(site.url, smtp, 1, 1);
    const steps = (JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')) as { steps: unknown[] }).steps.length;
    sections.push(`## 1. Engine overhead: Turnout vs the same flow hand-written in Playwright\n\nThe ${steps}-step demo enrollment (email and sign-in included) against the demo site in its own process; both sides start from built JavaScript with \`node\`; wall time and CPU seconds of the whole command with its browsers (bash \`times\`); median (min–max) of ${RUNS} run(s), taken in turns. Goal: Turnout ≤ 1.03 × hand-written.\n\n${await overhead(site.url, smtp)}`);
    log('2/5 capacity');
    sections.push(`## 2. Capacity\n\n${await capacity(site.url, smtp)}`);
    log('3/5 Chrome replayer');
    sections.push(`## 3. Chrome's replayer (@puppeteer/replay) vs Turnout\n\n${await chromeReplayer(RUNS)}`);
    log('4/5 dashboard lag');
    sections.push(`## 4. Dashboard lag\n\n${await dashboardLag(RUNS, QUICK)}`);
    log('5/5 SMTP sink');
    sections.push(`## 5. SMTP sink\n\n${await sinkThroughput(RUNS, QUICK)}`);
  } finally {
    site.process.kill('SIGTERM');
  }
  const doc = `# Turnout benchmarks

Produced by \`npm run bench\`${QUICK ? ' -- --quick (smoke run: 1 run, small crowds — not for comparison)' : ''} on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}. Browsers: Debian's chromium-headless-shell unless said otherwise.
Reproduce: \`npm run bench\` (about 45 minutes), or \`npm run bench -- --quick\` (a few minutes).

${sections.join('\n\n')}
${QUICK || !existsSync('bench/FINDINGS.md') ? '' : `\n${readFileSync('bench/FINDINGS.md', 'utf8')}`}`;
  const out = QUICK ? join('.turnout', 'bench', 'BENCHMARKS.quick.md') : 'BENCHMARKS.md';
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, doc);
  log(`wrote ${out}`);
}

await main();
process.exit(0);
