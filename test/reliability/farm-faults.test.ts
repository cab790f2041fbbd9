// The farm under faults of its own and of the target: a browser killed mid-run, a target that
// hangs up, hangs, fails or drips, a flood of mail, an artifacts folder that cannot be written.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { chromiumAfterExit, chromiumProcesses, killOwnRenderers, ownBrowserPids, serveFixtures, type Served } from '../helpers/servers.js';

const demo = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));
let sink: MailSink;
let site: DemoSite;

beforeAll(async () => {
  sink = new MailSink({ port: 0, maxStoredMessages: 500 });
  await sink.start();
  site = await startDemoSite(0, { smtpPort: sink.port });
});

afterAll(async () => {
  await site?.close();
  await sink?.stop();
});

describe('a Chromium killed mid-run', () => {
  it('turns its people into infrastructure failures; the pool relaunches and the run completes', async () => {
    const before = chromiumProcesses();
    const running = replay(demo, { users: 10, concurrency: 4, browsers: 2, baseUrl: site.url, sink });
    await new Promise((r) => setTimeout(r, 2500));
    const [victim] = ownBrowserPids();
    expect(victim).toBeGreaterThan(0);
    process.kill(victim!, 'SIGKILL');
    const summary = await running;
    expect(summary.users.total).toBe(10);
    expect(summary.users.infrastructure).toBeGreaterThanOrEqual(1);
    // Nobody is blamed on the site: everyone either passed or was the farm's loss.
    expect(summary.users.passed + summary.users.infrastructure).toBe(10);
    // People started after the crash ran on a relaunched browser and passed.
    const lastStarted = [...summary.results].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0]!;
    expect(lastStarted.status).toBe('passed');
    // The killed browser's helpers (zygote, renderers) exit on their own once they notice.
    expect(await chromiumAfterExit(before)).toBe(before);
  });
});

describe('page renderers killed mid-run', () => {
  it('fail their people as infrastructure at once, blame nobody else, and the run ends', async () => {
    const before = chromiumProcesses();
    const started = Date.now();
    // Mid-step for the first person, whatever the machine's speed: the renderers of the pages then open.
    let killed: number[] = [];
    const running = replay(demo, { users: 6, concurrency: 3, browsers: 1, baseUrl: site.url, sink }, { beforeEachStep: (user, step) => void (user === 1 && step === 5 && setTimeout(() => (killed = killOwnRenderers()), 100)) });
    const summary = await running;
    expect(killed.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(summary.users.total).toBe(6);
    const crashed = summary.results.filter((r) => r.error?.includes('the page crashed'));
    expect(crashed.length).toBeGreaterThanOrEqual(1);
    for (const r of crashed) expect(r.errorClass).toBe('infrastructure');
    expect(summary.users.passed + summary.users.infrastructure).toBe(6);
    expect(await chromiumAfterExit(before)).toBe(before);
  });
});

describe('a renderer killed while its page waits for the site', () => {
  let target: Served;
  let held = 0;
  beforeAll(async () => {
    // The next page is asked for and held; the page's renderer dies meanwhile (out of memory, killed).
    target = await serveFixtures((app) => {
      app.get('/start', (_req, res) => void res.send('<title>Start</title><a id="go" href="/held">Go on</a>'));
      app.get('/held', (_req, res) => {
        held++;
        setTimeout(killOwnRenderers, 50);
        setTimeout(() => res.send('<title>Late</title>'), 3000);
      });
    });
  });
  afterAll(async () => target?.close());

  // Chromium fails the navigation (net::ERR_ABORTED) a few ms before the page reports its crash.
  it.each([
    ['a navigate step', (site: string) => ({ type: 'navigate', url: `${site}/held` })],
    ['a click that navigates', (site: string) => ({ type: 'click', selectors: [['#go']], assertedEvents: [{ type: 'navigation', url: `${site}/held`, title: 'Late' }] })],
  ])('fails %s as infrastructure, not as the site\'s navigation error', async (_name, step) => {
    const before = chromiumProcesses();
    const asked = held;
    const scenario = parseScenario({ title: 'held', steps: [{ type: 'navigate', url: `${target.url}/start` }, step(target.url)] });
    const summary = await replay(scenario, { users: 3, concurrency: 1, browsers: 1, sink });
    expect(held - asked).toBe(3);
    expect(summary.results.map((r) => [r.failedStep, r.errorClass, r.error])).toEqual(Array(3).fill([1, 'infrastructure', 'the page crashed: its Chromium renderer process exited']));
    expect(await chromiumAfterExit(before)).toBe(before);
  });
});

describe('a misbehaving target', () => {
  let target: Served;
  beforeAll(async () => {
    target = await serveFixtures((app) => {
      app.get('/close', (req) => req.socket.destroy());
      app.get('/hang', () => undefined);
      app.get('/fail', (_req, res) => void res.status(503).send('unavailable'));
      // No content: Chromium stays on the page it was on and cuts the navigation off (net::ERR_ABORTED).
      app.get('/empty', (_req, res) => void res.status(204).end());
      app.get('/drip', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const timer = setInterval(() => res.write('<p>.</p>'), 300);
        res.on('close', () => clearInterval(timer));
      });
    });
  });
  afterAll(async () => target?.close());

  it.each([
    ['close', 'navigation-error'],
    ['hang', 'timeout'],
    ['fail', 'http-error'],
    ['empty', 'navigation-error'],
    ['drip', 'timeout'],
  ])('/%s is classed %s and nobody hangs', async (path, errorClass) => {
    const scenario = parseScenario({ title: path, steps: [{ type: 'navigate', url: `${target.url}/${path}` }, { type: 'waitForElement', selectors: ['#never'] }] });
    const t0 = Date.now();
    const summary = await replay(scenario, { users: 3, sink, browsers: 1, stepTimeoutMs: 2000, personDeadlineMs: 6000 });
    expect(summary.results.map((r) => [r.failedStep, r.errorClass])).toEqual(Array(3).fill([0, errorClass]));
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

describe('the SMTP sink flooded with mail for unknown recipients', () => {
  it('keeps memory bounded and real people unaffected', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 4 });
    const flood = Promise.all(Array.from({ length: 2000 }, (_, i) => transport.sendMail({ from: 'spam@x.test', to: `stranger${i}@elsewhere.test`, subject: 'spam', text: 'x'.repeat(200) })));
    const summary = await replay(demo, { users: 5, concurrency: 5, baseUrl: site.url, sink, browsers: 1 });
    await flood;
    transport.close();
    expect(summary.users).toMatchObject({ total: 5, passed: 5 });
    expect(sink.received).toBeGreaterThanOrEqual(2005);
    expect(sink.stored).toBeLessThanOrEqual(500);
  });
});

describe('an artifacts folder that cannot be written', () => {
  it('costs the screenshots, not the run, and the summary says so', async () => {
    // A file where the folder should be fails every write, as a full disk does.
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'turnout-full-')), 'artifacts');
    writeFileSync(notAFolder, 'in the way');
    const broken = await startDemoSite(0, { smtpPort: sink.port, faults: { 'submit-500': 50 } });
    try {
      const summary = await replay(demo, { users: 4, baseUrl: broken.url, sink, browsers: 1, artifactsDir: notAFolder });
      expect(summary.users).toMatchObject({ total: 4, passed: 2, failed: 2 });
      expect(summary.results.filter((r) => r.status === 'failed').map((r) => [r.errorClass, r.screenshot])).toEqual([
        ['http-error', null],
        ['http-error', null],
      ]);
      // (A busy CI machine may add a saturation warning about itself: not what this test is about.)
      expect(summary.warnings!.filter((w) => !w.includes('was saturated'))).toEqual([expect.stringMatching(/^could not write screenshots to .*: (ENOTDIR|EEXIST)$/)]);
    } finally {
      await broken.close();
    }
  });
});
