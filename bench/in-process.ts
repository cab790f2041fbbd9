// Benchmarks that run inside this process: Chrome's replayer vs Turnout, dashboard lag, and the
// SMTP sink's throughput and latency.
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunner, parse, PuppeteerRunnerExtension } from '@puppeteer/replay';
import nodemailer from 'nodemailer';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { parseScenario, type Scenario } from '../schema/index.js';
import { CHROMIUM_ARGS, findChromium } from '../server/src/engine/chromium.js';
import { newRunId, replay } from '../server/src/engine/replay.js';
import { startServer } from '../server/src/http/server.js';
import { MailSink } from '../server/src/mail/sink.js';
import { serveFixtures } from '../test/helpers/servers.js';
import { chromiumCpu, fmt, percentile, stat, type Stat } from './measure.js';

const shell = (): string => findChromium('headless-shell')!.executablePath;

export interface ReplayerComparison {
  text: string;
  /** Goal lines: how many times slower Chrome's replayer is, per crowd. */
  verdicts: (goal: number) => string[];
}

export async function chromeReplayer(runs: number): Promise<ReplayerComparison> {
  const site = await serveFixtures();
  const sink = new MailSink({ port: 0 });
  await sink.start();
  const source = readFileSync('test/fixtures/recordings/keyboard.json', 'utf8').replaceAll('http://127.0.0.1:8080', site.url);
  const recording = JSON.parse(source);
  const scenario: Scenario = parseScenario(recording);
  type Measured = { wall: number; node: number; browsers: number };
  type Row = { wall: Stat; node: Stat; browsers: Stat; cpu: Stat };
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const why: string[] = [];
  const slower: { people: number; times: number; shipped: number; byHand: number }[] = [];
  const cores = cpus().length;
  /** Wall seconds, CPU seconds of this process (both sides run in it) and of Chromium, for one run. */
  const measured = async (run: () => Promise<void>): Promise<Measured> => {
    const cpu = process.cpuUsage();
    const chromiumSeconds = chromiumCpu();
    const t = performance.now();
    await run();
    const wall = (performance.now() - t) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    return { wall, node: (user + system) / 1e6, browsers: chromiumSeconds() };
  };
  try {
    for (const people of [1, 10]) {
      const chromes = async (): Promise<void> => {
        // Playwright passes --no-sandbox itself (as root); puppeteer needs it said.
        const browser = await puppeteer.launch({ executablePath: shell(), headless: 'shell', args: [...CHROMIUM_ARGS, '--no-sandbox'] });
        await Promise.all(
          Array.from({ length: people }, async () => {
            const context = await browser.createBrowserContext();
            const page = await context.newPage();
            const runner = await createRunner(parse(recording), new PuppeteerRunnerExtension(browser, page, { timeout: 10_000 }));
            await runner.run();
            await context.close();
          }),
        );
        await browser.close();
      };
      const turnout = (vitals: boolean) => async (): Promise<void> => {
        const summary = await replay(scenario, { users: people, concurrency: people, browsers: 1, sink, ...(vitals ? {} : { vitals: false }) });
        if (summary.users.passed !== people) throw new Error('Turnout: not every person passed');
      };
      // The same recording written by hand in plain Playwright, launched as Turnout launches its
      // browsers: what any Playwright-driven replay could reach on this page, with nothing checked.
      const byHand = async (): Promise<void> => {
        const browser = await chromium.launch({ executablePath: shell(), headless: true, args: CHROMIUM_ARGS });
        await Promise.all(
          Array.from({ length: people }, async () => {
            const context = await browser.newContext();
            const page = await context.newPage();
            await page.goto(`${site.url}/keyboard.html`);
            const search = page.getByRole('textbox', { name: 'Search plans' });
            await search.click({ position: { x: 40, y: 10 } });
            await search.fill('silver');
            await page.keyboard.press('Tab');
            await page.getByRole('textbox', { name: 'ZIP code' }).fill('73301');
            await page.keyboard.press('Enter');
            await page.waitForURL((url) => url.pathname.endsWith('/search-result.html'));
            await page.getByRole('heading', { name: 'Results for silver near 73301' }).waitFor();
            await context.close();
          }),
        );
        await browser.close();
      };
      const sides = [
        { name: '@puppeteer/replay', run: chromes, runs: [] as Measured[] },
        { name: 'Turnout `--no-vitals`', run: turnout(false), runs: [] as Measured[] },
        { name: 'Turnout as it ships', run: turnout(true), runs: [] as Measured[] },
        { name: 'hand-written Playwright', run: byHand, runs: [] as Measured[] },
      ];
      // Taken in turns, each side first in turn, so that warm-up and drift hit every side alike.
      for (let r = 0; r < runs; r++) {
        for (let k = 0; k < sides.length; k++) {
          const side = sides[(r + k) % sides.length]!;
          side.runs.push(await measured(side.run));
        }
      }
      const [chrome, bare, shipped, hand] = sides.map((side) => ({
        wall: stat(side.runs.map((m) => m.wall)),
        node: stat(side.runs.map((m) => m.node)),
        browsers: stat(side.runs.map((m) => m.browsers)),
        cpu: stat(side.runs.map((m) => m.node + m.browsers)),
      })) as [Row, Row, Row, Row];
      const times = chrome.wall.median / bare.wall.median;
      slower.push({ people, times, shipped: chrome.wall.median / shipped.wall.median, byHand: chrome.wall.median / hand.wall.median });
      rows.push(
        `| ${people} | ${fmt(chrome.wall, ' s', 2)} | ${fmt(bare.wall, ' s', 2)} | **${times.toFixed(2)}×** | ${fmt(shipped.wall, ' s', 2)} | ${(chrome.wall.median / shipped.wall.median).toFixed(2)}× | ${fmt(hand.wall, ' s', 2)} | ${(chrome.wall.median / hand.wall.median).toFixed(2)}× |`,
      );
      for (const [i, row] of [chrome, bare, shipped, hand].entries()) {
        cpuRows.push(`| ${people} | ${sides[i]!.name} | ${fmt(row.node, ' s', 2)} | ${fmt(row.browsers, ' s', 2)} | ${fmt(row.cpu, ' s', 2)} | ${(row.cpu.median / row.wall.median).toFixed(2)} of ${cores} |`);
      }
      const busy = (row: Row): string => `${(row.cpu.median / row.wall.median).toFixed(2)} of the ${cores} cores`;
      why.push(
        `${people} ${people === 1 ? 'person' : 'people'}: Chrome's replayer used ${chrome.cpu.median.toFixed(2)} CPU seconds a run (${busy(chrome)}), Turnout \`--no-vitals\` ${bare.cpu.median.toFixed(2)} (${busy(bare)}): ` +
          `${(bare.cpu.median / chrome.cpu.median).toFixed(2)}× the CPU — Node ${bare.node.median.toFixed(2)} vs ${chrome.node.median.toFixed(2)} s, Chromium ${bare.browsers.median.toFixed(2)} vs ${chrome.browsers.median.toFixed(2)} s — for ${(bare.wall.median / chrome.wall.median).toFixed(2)}× the wall time; ` +
          `the recording hand-written in Playwright used ${hand.cpu.median.toFixed(2)} (${busy(hand)}), and Chrome's replayer took ${(chrome.wall.median / hand.wall.median).toFixed(2)}× its time.`,
      );
    }
  } finally {
    await sink.stop();
    await site.close();
  }
  const text = `The Chrome-Recorder-format recording \`test/fixtures/recordings/keyboard.json\` (9 steps: navigate, click, type, Tab, Enter with a navigation, wait), replayed by @puppeteer/replay 3 with puppeteer-core on the same headless-shell, by Turnout, and written by hand in plain Playwright (the same steps with \`getByRole\`, no checks: the most a Playwright-driven replay of this page could reach), all in this process; people in parallel, one browser each side, launch included; taken in turns, each side first in turn; median (min–max) of ${runs} run(s). Judged like for like on Turnout \`--no-vitals\` (Chrome's replayer measures no Web Vitals), Turnout as it ships beside it.

| people | @puppeteer/replay | Turnout \`--no-vitals\` | replay ÷ Turnout (times slower) | Turnout as it ships | replay ÷ it | hand-written Playwright | replay ÷ it |
|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

CPU seconds a run: this process (both sides run in it: the runner, Playwright's or Puppeteer's client, the mail sink) and Chromium's processes (read from /proc every 100 ms), and how many cores that kept busy on average (CPU ÷ wall):

| people | side | Node process | Chromium | all | cores busy |
|---:|---|---:|---:|---:|---:|
${cpuRows.join('\n')}

Why: ${why.join(' ')} Where the cores are busy, wall time follows CPU: what Turnout does per step beyond replaying it (section 6) is paid in time, and no replay driving the same Chromium is faster than the browser's own work allows — the hand-written flow's column is that ceiling.`;
  return {
    text,
    verdicts: (goal) =>
      slower.map(
        ({ people, times, shipped, byHand }) =>
          `Chrome's replayer for ${people} ${people === 1 ? 'person' : 'people'}: ${times.toFixed(2)}× Turnout's time (like for like, --no-vitals; goal ≥ ${goal}×): ${times >= goal ? 'met' : '**missed**'}; as it ships: ${shipped.toFixed(2)}×; the recording hand-written in Playwright: ${byHand.toFixed(2)}×.`,
      ),
  };
}

const DASHBOARDS = 5;
const WATCH_PASSED = `(() => {
  const seen = [];
  window.__seen = seen;
  const read = () => {
    const view = document.querySelector('to-app')?.shadowRoot?.querySelector('to-run-view')?.shadowRoot;
    return Number(view?.querySelector('[data-testid="passed"]')?.textContent ?? 0);
  };
  const tick = () => {
    const v = read();
    if (v !== (seen.at(-1)?.[1] ?? 0)) seen.push([Date.now(), v]);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;
const EVENTS_PER_PERSON = 10;

export async function dashboardLag(runs: number, quick: boolean): Promise<string> {
  const seconds = quick ? 3 : 10;
  const server = await startServer({ port: 0, smtpPort: 0, dataDir: mkdtempSync(join(tmpdir(), 'turnout-bench-')) });
  const scenario = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));
  const browser = await chromium.launch({ executablePath: shell(), args: CHROMIUM_ARGS });
  const lags: number[] = [];
  const cpu: number[] = [];
  const rates: number[] = [];
  let missed = 0;
  let expected = 0;
  try {
    for (let r = 0; r < runs; r++) {
      const runId = newRunId();
      const people = seconds * 100;
      server.manager.startExternal(runId, scenario, people, {});
      const pages = await Promise.all(Array.from({ length: DASHBOARDS }, () => browser.newPage()));
      await Promise.all(
        pages.map(async (page) => {
          await page.goto(`${server.url}/#/runs/${runId}`);
          await page.getByTestId('passed').waitFor();
          // Every animation frame, note when the shown "passed" count changes. (A string: tsx
          // would wrap a function's inner functions in a helper the page does not have.)
          await page.evaluate(WATCH_PASSED);
        }),
      );
      // 1,000 events a second: every 10 ms one person starts, passes 8 steps and finishes.
      const sent: number[] = [];
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      for (let k = 1; k <= people; k++) {
        const at = t0 + k * 10;
        const wait = at - Date.now();
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        const now = new Date().toISOString();
        const events = [
          { kind: 'personStarted', user: k, email: `p${k}@inbox.turnout.test` },
          ...Array.from({ length: EVENTS_PER_PERSON - 2 }, (_, s) => ({ kind: 'stepFinished', user: k, result: { index: s, status: 'passed', startedAt: now, durationMs: 100, matchedSelector: null } })),
          { kind: 'personFinished', person: { user: k, email: `p${k}@inbox.turnout.test`, status: 'passed', failedStep: null, errorClass: null, error: null, url: null, httpStatus: 200, screenshot: null, trace: null, httpProblems: [], blocked: {}, startedAt: now, durationMs: 800, steps: [], worker: null } },
        ];
        sent[k] = Date.now();
        await fetch(`${server.url}/api/runs/${runId}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
      }
      const used = process.cpuUsage(cpu0);
      const sendingS = (Date.now() - t0) / 1000;
      cpu.push(((used.user + used.system) / 1e6 / sendingS) * 100);
      rates.push((people * EVENTS_PER_PERSON) / sendingS);
      await new Promise((res) => setTimeout(res, 1000));
      for (const page of pages) {
        const seen = (await page.evaluate('window.__seen')) as [number, number][];
        for (let k = 1; k <= people; k++) {
          expected++;
          const shown = seen.find(([, v]) => v >= k);
          if (shown) lags.push(shown[0] - sent[k]!);
          else missed++; // a finish this dashboard never showed
        }
        await page.close();
      }
      server.manager.finishExternal(runId, 'finished', {});
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const p95 = percentile(lags, 95);
  return `${DASHBOARDS} dashboards watch a run while step events are POSTed to \`/api/runs/:id/events\` at a target of 1,000 a second (100 people a second, each start + 8 steps + finish) for ${seconds} s; in each page, every animation frame reads the shown "passed" count. Lag = when a person's finish became visible − when its event was sent. ${runs} run(s), ${expected} finishes to show (people × dashboards).

| events/s reached | p50 lag | p95 lag | max lag | finishes never shown | server process CPU (incl. the sender) | goal |
|---:|---:|---:|---:|---:|---:|---|
| ${fmt(stat(rates), '', 0)} | ${percentile(lags, 50).toFixed(0)} ms | **${p95.toFixed(0)} ms** | ${lags.length ? Math.max(...lags).toFixed(0) : '–'} ms | **${missed}** of ${expected} | ${fmt(stat(cpu), ' % of a core', 0)} | p95 < 250 ms and none missed: ${p95 < 250 && missed === 0 ? 'met' : '**missed**'} |

Snapshots go out at most every 200 ms per run (\`SNAPSHOT_INTERVAL_MS\`), whatever the crowd: that throttle, not the fan-out, is most of the lag.`;
}

export async function sinkThroughput(runs: number, quick: boolean): Promise<string> {
  const burst = quick ? 300 : 3000;
  const rates: number[] = [];
  const latencies: number[] = [];
  for (let r = 0; r < runs; r++) {
    const sink = new MailSink({ port: 0 });
    await sink.start();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 10, maxMessages: Infinity });
    // Throughput: a burst, every message awaited by "its person".
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: burst }, (_, i) => {
        const to = `burst${i}.${r}@inbox.turnout.test`;
        const got = sink.waitFor(to, { since: 0, timeoutMs: 60_000 });
        void transport.sendMail({ from: 'site@x.test', to, subject: 'Confirm your email', text: 'https://x.test/confirm?t=1' });
        return got;
      }),
    );
    rates.push(burst / ((performance.now() - t0) / 1000));
    // Latency: a steady 500 messages a second for 2 s, send → the waiting person has it.
    for (let i = 0; i < 1000; i++) {
      const to = `steady${i}.${r}@inbox.turnout.test`;
      const got = sink.waitFor(to, { since: 0, timeoutMs: 10_000 });
      const sentAt = performance.now();
      void transport.sendMail({ from: 'site@x.test', to, subject: 'Confirm', text: 'x' });
      void got.then(() => latencies.push(performance.now() - sentAt));
      await new Promise((res) => setTimeout(res, 2));
    }
    await new Promise((res) => setTimeout(res, 500));
    transport.close();
    await sink.stop();
  }
  const rate = stat(rates);
  const p95 = percentile(latencies, 95);
  return `The sink on loopback, nodemailer with 10 pooled connections. Throughput: ${burst} messages sent at once, each to its own address with a person waiting for it; latency: 500 messages a second for 2 s, from \`sendMail\` to the waiting person holding the parsed message. ${runs} run(s).

| delivered per second | latency p50 | latency p95 | goal |
|---:|---:|---:|---|
| **${fmt(rate, '', 0)}** | ${percentile(latencies, 50).toFixed(1)} ms | **${p95.toFixed(1)} ms** | ≥ 500/s: ${rate.median >= 500 ? 'met' : 'missed'}; < 50 ms: ${p95 < 50 ? 'met' : 'missed'} |`;
}
