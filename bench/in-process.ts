// Benchmarks that run inside this process: Chrome's replayer vs Turnout, dashboard lag, and the
// SMTP sink's throughput and latency.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { fmt, percentile, stat } from './measure.js';

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
  const rows: string[] = [];
  const slower: { people: number; times: number }[] = [];
  try {
    for (const people of [1, 10]) {
      const ours: number[] = [];
      const theirs: number[] = [];
      const chromes = async (): Promise<void> => {
        const t = performance.now();
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
        theirs.push((performance.now() - t) / 1000);
      };
      const turnouts = async (): Promise<void> => {
        const t = performance.now();
        const summary = await replay(scenario, { users: people, concurrency: people, browsers: 1, sink });
        if (summary.users.passed !== people) throw new Error('Turnout: not every person passed');
        ours.push((performance.now() - t) / 1000);
      };
      // Taken in turns, the order alternating, so that warm-up and drift hit both sides alike.
      for (let r = 0; r < runs; r++) for (const side of r % 2 ? [turnouts, chromes] : [chromes, turnouts]) await side();
      const [o, p] = [stat(ours), stat(theirs)];
      slower.push({ people, times: p.median / o.median });
      rows.push(`| ${people} | ${fmt(p, ' s', 2)} | ${fmt(o, ' s', 2)} | **${(p.median / o.median).toFixed(2)}×** |`);
    }
  } finally {
    await sink.stop();
    await site.close();
  }
  const text = `The Chrome-Recorder-format recording \`test/fixtures/recordings/keyboard.json\` (9 steps: navigate, click, type, Tab, Enter with a navigation, wait), replayed by @puppeteer/replay 3 with puppeteer-core on the same headless-shell, and by Turnout, both in this process; people in parallel, one browser each side, launch included; taken in turns, the order alternating; median (min–max) of ${runs} run(s).

| people | @puppeteer/replay | Turnout | replay ÷ Turnout (times slower) |
|---:|---:|---:|---:|
${rows.join('\n')}`;
  return {
    text,
    verdicts: (goal) =>
      slower.map(({ people, times }) => `Chrome's replayer for ${people} ${people === 1 ? 'person' : 'people'}: ${times.toFixed(2)}× Turnout's time (goal ≥ ${goal}×): ${times >= goal ? 'met' : '**missed**'}.`),
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
