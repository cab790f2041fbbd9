// The farm from the two other places people start it: the server configured with a Redis (runs
// started from the dashboard go to the workers), and a farm whose target mails a standalone
// `turnout sink` process instead of the coordinator.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type RunSummary } from '../../schema/index.js';
import { startDemoSite } from '../../scenarios/demo-site/site.js';
import { replayOnFarm } from '../../server/src/farm/coordinator.js';
import { FarmWorker } from '../../server/src/farm/worker.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { freePort } from '../helpers/servers.js';
import { DEMO_ID, startTestServer } from '../helpers/turnout-server.js';

const scenario = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));

describe('the farm behind the server and behind a standalone sink', () => {
  let redis: TestRedis;
  let worker: FarmWorker;

  beforeAll(async () => {
    redis = await startRedis();
    worker = new FarmWorker({ redis: redis.url, concurrency: 3, browsers: 1 });
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.close();
    await redis?.stop();
  });

  it('runs a dashboard-started run on the workers when the server has a Redis', async () => {
    const t = await startTestServer({}, undefined, { redis: redis.url });
    try {
      const started = await t.post<{ id: string }>('/api/runs', { scenario: DEMO_ID, users: 4, baseUrl: t.site.url });
      expect(started.status).toBe(202);
      const info = await t.waitForRun(started.body.id);
      expect(info.status).toBe('finished');
      const summary = await t.get<RunSummary>(`/api/runs/${started.body.id}`);
      expect(summary.users).toEqual({ total: 4, passed: 4, failed: 0, infrastructure: 0 });
      for (const r of summary.results) expect(r.worker).toBe(worker.name);
      // The confirmation mail went to the server's sink and reached the people on the worker.
      expect(summary.steps.find((s) => s.type === 'waitForEmail')!.passed).toBe(4);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('delivers mail through `turnout sink` to people on a worker', async () => {
    const smtpPort = await freePort();
    const sink = spawn(process.execPath, ['bin/turnout.js', 'sink', '--redis', redis.url, '--smtp-port', String(smtpPort)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sink.stderr!.on('data', (d: Buffer) => (log += d));
    for (let i = 0; i < 100 && !log.includes('relaying mail'); i++) await new Promise((r) => setTimeout(r, 100));
    const site = await startDemoSite(0, { smtpPort });
    try {
      expect(log).toContain(`SMTP sink on 127.0.0.1:${smtpPort}, relaying mail to the farm on ${redis.url}`);
      const summary = await replayOnFarm(scenario, { users: 3, baseUrl: site.url, redis: redis.url, startSink: false, artifactsDir: null });
      expect(summary.users).toEqual({ total: 3, passed: 3, failed: 0, infrastructure: 0 });
    } finally {
      await site.close();
      sink.kill('SIGTERM');
      await once(sink, 'exit');
    }
    expect(log).toMatch(/sink stopped after 3 message\(s\)/);
  }, 120_000);
});
