// Continuous rehearsal: a schedule in the server runs the demo every second; the demo site breaks
// between runs and is mended again. A real HTTP receiver must get exactly one breach alert and one
// recovery alert, in the documented bodies (generic and Slack); a receiver that answers 500 twice
// gets the alert once, on the third try; overlapping runs are skipped and recorded; schedules
// come back after a restart; a webhook URL given as a secret never reaches the database or the API.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { chromium } from 'playwright-core';
import { findChromium } from '../../server/src/engine/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo, ScheduleInfo } from '../../schema/index.js';
import type { AlertBody } from '../../server/src/runs/alerts.js';
import { startTestServer, DEMO_ID, type TestServer } from '../helpers/turnout-server.js';

interface Received {
  path: string;
  body: Record<string, unknown>;
}

let receiver: { url: string; received: Received[]; flakyTries: number; close: () => Promise<void> };
let t: TestServer;

beforeAll(async () => {
  const received: Received[] = [];
  const state = { flakyTries: 0 };
  const app = express();
  app.use(express.json());
  // Answers 500 to its first two tries, then 200 for good.
  app.post('/flaky', (req, res) => {
    state.flakyTries++;
    if (state.flakyTries <= 2) return void res.status(500).send('busy');
    received.push({ path: '/flaky', body: req.body as Record<string, unknown> });
    res.send('ok');
  });
  app.post('/{*path}', (req, res) => {
    received.push({ path: req.path, body: req.body as Record<string, unknown> });
    res.send('ok');
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    get flakyTries() {
      return state.flakyTries;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const until = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

describe('schedules and alerts', () => {
  it('alert once when a scheduled run breaks and once when it recovers, retrying a failing receiver; skips recorded; kept across a restart', async () => {
    const env = { ...process.env, TURNOUT_TEST_HOOK: `${receiver.url}/secret-hook/T0K3N` };
    t = await startTestServer({}, undefined, { env }, { alertDelivery: { retries: 3, minTimeoutMs: 50 } });
    const dataDir = t.dataDir;

    // A bad pattern, time zone or threshold is a 400 that names the field.
    const badCron = await t.post<{ error: string }>('/api/schedules', { scenario: DEMO_ID, cron: '61 * * * *' });
    expect([badCron.status, badCron.body.error]).toEqual([400, 'cron: Invalid value for minute: 61']);
    const badZone = await t.post<{ error: string }>('/api/schedules', { scenario: DEMO_ID, cron: '0 3 * * *', timezone: 'Mars/Base' });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error).toMatch(/^timezone: /);
    const badThreshold = await t.post<{ error: string }>('/api/schedules', { scenario: DEMO_ID, cron: '0 3 * * *', thresholds: ['pass_rate>=0.9', 'step[nope].p95<1s'] });
    expect([badThreshold.status, badThreshold.body.error]).toEqual([400, expect.stringMatching(/^thresholds\[1\]: .*no step "nope"/)]);

    const created = await t.post<ScheduleInfo>('/api/schedules', {
      scenario: DEMO_ID,
      cron: '* * * * * *',
      users: 3,
      baseUrl: t.site.url,
      // A twentieth of a second before each of the 31 steps makes every run outlast the second between due
      // times, so overlapping runs are skipped whatever the machine's speed (a fast one once had none).
      think: 0.05,
      thresholds: ['pass_rate>=1'],
      // Three people's p95 is the slowest of three: a regression here would be noise, not the fault.
      regressionMargin: 5,
      alerts: [
        { kind: 'webhook', url: `${receiver.url}/hook` },
        { kind: 'slack', url: `${receiver.url}/slack` },
        { kind: 'webhook', url: `${receiver.url}/flaky` },
        { kind: 'webhook', url: '{{secret.TURNOUT_TEST_HOOK}}' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // Where alerts go is shown without paths or secrets.
    expect(created.body.alerts.map((a) => a.to)).toEqual([receiver.url, receiver.url, receiver.url, '{{secret.TURNOUT_TEST_HOOK}}']);
    expect(Date.parse(created.body.nextRunAt!) - Date.now()).toBeLessThanOrEqual(1000);

    const schedule = () => t.get<ScheduleInfo>(`/api/schedules/${id}`);
    const judged = async (n: number) => (await schedule()).events.filter((e) => e.kind === 'run').length >= n;
    // A good run first, then the site breaks: every sign-up answered 500.
    await until('a first judged run', async () => (await schedule()).last?.verdict.ok === true);
    t.site.setFaults({ 'submit-500': 100 });
    await until('a failing run', async () => (await schedule()).last?.verdict.ok === false);
    const breachedAt = (await schedule()).events.filter((e) => e.kind === 'run').length;
    await until('a second run after the breach', () => judged(breachedAt + 1));
    // Mended: the next runs pass again.
    t.site.setFaults({});
    await until('a recovered run', async () => (await schedule()).last?.verdict.ok === true);
    const recoveredAt = (await schedule()).events.filter((e) => e.kind === 'run').length;
    await until('a run after the recovery', () => judged(recoveredAt + 1));
    t.server.store.flush();

    const info = await schedule();
    const hooks = receiver.received.filter((r) => r.path === '/hook').map((r) => r.body as unknown as AlertBody);
    expect(hooks.map((h) => h.event)).toEqual(['breach', 'recovery']);
    const [breach, recovery] = hooks as [AlertBody, AlertBody];
    // The breach says what broke, where, and the page's own words — checked against the run itself.
    const runs = await t.get<RunInfo[]>('/api/runs');
    const breachRun = runs.find((r) => r.id === breach.run.id)!;
    expect(breachRun.options.schedule).toBe(id);
    expect(breach).toMatchObject({ scenario: 'HealthMarket enrollment', schedule: id, run: { link: `${t.server.url}/#/runs/${breach.run.id}` } });
    // (A run that began just before the site broke may have caught it half-way.)
    expect(breach.verdict).toMatchObject({ ok: false, farmFailed: false, people: { total: 3 } });
    expect(breach.verdict.people.failed).toBeGreaterThan(0);
    expect(breach.verdict.failedThresholds).toEqual([expect.stringMatching(/^pass_rate>=1 — pass_rate = \d+(\.\d+)? %/)]);
    expect(breach.topFailures[0]).toMatchObject({ class: 'http-error', count: breach.verdict.people.failed, title: expect.any(String) });
    expect(recovery.verdict).toMatchObject({ ok: true, failedThresholds: [], people: { total: 3, passed: 3 } });
    // Slack's body carries text and blocks; the flaky receiver got each alert once, after two 500s.
    const slack = receiver.received.filter((r) => r.path === '/slack').map((r) => r.body);
    expect(slack).toHaveLength(2);
    expect(slack[0]).toMatchObject({ text: expect.stringMatching(/^❌ HealthMarket enrollment broke: \d of 3 people failed/), blocks: expect.any(Array) });
    expect(receiver.received.filter((r) => r.path === '/flaky')).toHaveLength(2);
    expect(receiver.flakyTries).toBe(4);
    const alerts = info.events.filter((e) => e.kind === 'alert');
    expect(alerts.filter((a) => a.target === receiver.url && a.kind === 'alert' && a.attempts === 3)).toHaveLength(1);
    expect(alerts.every((a) => a.kind === 'alert' && a.delivered)).toBe(true);
    // The secret URL was used, but is in neither the API nor the database.
    expect(receiver.received.filter((r) => r.path === '/secret-hook/T0K3N')).toHaveLength(2);
    expect(JSON.stringify(info)).not.toContain('T0K3N');
    expect(readFileSync(`${dataDir}/turnout.db`).includes('T0K3N')).toBe(false);
    // Runs that came due while the previous one was going were skipped, and recorded.
    expect(info.skipped).toBeGreaterThan(0);
    expect(info.events.find((e) => e.kind === 'skipped')).toMatchObject({ reason: expect.stringMatching(/^run \S+ was still going$/) });

    // Paused, then a restart on the same data: the schedule is there, still paused.
    const paused = await fetch(`${t.server.url}/api/schedules/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }) });
    expect(((await paused.json()) as ScheduleInfo).nextRunAt).toBeNull();
    await t.close();
    t = await startTestServer({}, dataDir, { env });
    const again = await t.get<ScheduleInfo[]>('/api/schedules');
    expect(again.map((s) => [s.id, s.cron, s.enabled])).toEqual([[id, '* * * * * *', false]]);
    expect(again[0]!.events.length).toBe(info.events.length);

    // The Schedules page: the schedule paused, its last verdict linking to its run; resumed from there.
    const browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
    try {
      const page = await browser.newPage();
      await page.goto(`${t.server.url}/#/schedules`);
      const row = page.locator(`to-schedules tr[data-schedule="${id}"]`);
      await expect.poll(() => row.textContent()).toContain('paused');
      // The newest alert's deliveries, one per destination.
      expect(await row.textContent()).toMatch(/recovery \(.*\):.*webhook → http:\/\/127\.0\.0\.1:\d+: delivered.*slack → .*: delivered/s);
      expect(await row.getByRole('link', { name: 'passed' }).getAttribute('href')).toBe(`#/runs/${again[0]!.last!.runId}`);
      await row.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(async () => (await t.get<ScheduleInfo>(`/api/schedules/${id}`)).enabled).toBe(true);
      await row.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(async () => (await t.get<ScheduleInfo>(`/api/schedules/${id}`)).enabled).toBe(false);
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('start launch-day runs: arrival phases, network cohorts and Web Vitals as a run by hand takes them', async () => {
    const own = await startTestServer();
    try {
      const created = await own.post<ScheduleInfo>('/api/schedules', {
        scenario: DEMO_ID,
        cron: '*/2 * * * * *',
        baseUrl: own.site.url,
        phases: [{ duration: 2, arrivalRate: 1 }],
        network: 'none:1,4g:1',
        vitals: false,
      });
      expect(created.status).toBe(201);
      const runId = await until('a scheduled run', async () => (await own.get<ScheduleInfo>(`/api/schedules/${created.body.id}`)).last?.runId);
      await fetch(`${own.server.url}/api/schedules/${created.body.id}`, { method: 'DELETE' });
      const run = (await own.get<RunInfo[]>('/api/runs')).find((r) => r.id === runId)!;
      expect(run.options).toMatchObject({ schedule: created.body.id, phases: [{ duration: 2, arrivalRate: 1 }], network: [{ profile: 'none', share: 1 }, { profile: '4g', share: 1 }], vitals: false });
      expect(run.users.total).toBe(2);
    } finally {
      await own.close();
    }
  }, 120_000);
});
