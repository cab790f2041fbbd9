// Launch-day load on the farm: arrivals are jobs due at their time, and a person no worker slot
// can take when they arrive is dropped (counted, never failed), as in a run on one machine. Real
// Redis, a real `turnout worker` process with its own Chromium, a site that answers slowly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { replayOnFarm } from '../../server/src/farm/coordinator.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { startRedis, startWorker, type TestRedis, type WorkerProcess } from '../helpers/redis.js';
import { serveQuickAndSlow, type Served } from '../helpers/servers.js';

let redis: TestRedis;
let worker: WorkerProcess;
let site: Served;
let sink: MailSink;

beforeAll(async () => {
  site = await serveQuickAndSlow();
  sink = new MailSink({ port: 0 });
  await sink.start();
  redis = await startRedis();
  // Two people at once on this worker: the farm's whole capacity.
  worker = await startWorker(redis.url, ['--concurrency', '2', '--browsers', '1']);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await redis?.stop();
  await sink?.stop();
  await site?.close();
});

const visit = (path: string) =>
  parseScenario({ title: `visit ${path}`, steps: [{ type: 'navigate', url: `${site.url}${path}` }, { type: 'waitForElement', selectors: [['h1']] }] });

describe('arrivals on the farm', () => {
  it('drop, never fail, the people who arrive while every worker slot is busy', async () => {
    // 4/s for 3 s against a site that takes 3 s a page: about 12 would run at once; 2 may.
    const summary = await replayOnFarm(visit('/slow'), { users: 1, phases: [{ duration: 3, arrivalRate: 4 }], baseUrl: site.url, sink, redis: redis.url, artifactsDir: null });
    expect(summary.users.failed).toBe(0);
    expect(summary.users.dropped).toBeGreaterThanOrEqual(6);
    expect(summary.users.total + summary.users.dropped!).toBe(12);
    expect(summary.arrivals!.dropped).toBe(summary.users.dropped);
    expect(summary.warnings).toContainEqual(
      `${summary.users.dropped} of 12 arriving people could not start: every worker slot was busy when they arrived (taken more than 1 s late); the farm did not keep up with the arrival rate`,
    );
  }, 90_000);

  it('run everyone, on time, when the workers keep up; cohorts and Web Vitals come back from the worker', async () => {
    const summary = await replayOnFarm(visit('/quick'), {
      users: 1,
      phases: [{ duration: 3, arrivalRate: 1 }],
      baseUrl: site.url,
      sink,
      redis: redis.url,
      artifactsDir: null,
      network: [{ profile: 'none', share: 1 }, { profile: '4g', share: 2 }],
    });
    expect(summary.users).toMatchObject({ total: 3, passed: 3, failed: 0, dropped: 0 });
    expect(summary.warnings?.some((w) => w.includes('could not start'))).toBe(false);
    expect(summary.arrivals!.perSecond).toEqual([1, 1, 1]);
    expect(summary.results.map((p) => p.network).sort()).toEqual(['4g', '4g', 'none']);
    expect(summary.steps[0]!.byNetwork!['4g']).toMatchObject({ reached: 2, passed: 2 });
    expect(summary.steps[0]!.vitals!.ttfb!.p50Ms).toBeGreaterThanOrEqual(0);
    expect(summary.results.every((p) => p.steps[0]!.vitals?.fcpMs !== undefined)).toBe(true);
  }, 90_000);
});
