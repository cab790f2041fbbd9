// The farm's Redis restarted in the middle of a run (a fresh Redis on the same port: its queue,
// its jobs and the run's plan are gone). The run must end, not hang; every person is accounted
// for exactly once, either as the site's own outcome or as the farm's loss with a reason that
// names what happened; and the workers, reconnected, serve the next night's run.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import { replayOnFarm } from '../../server/src/farm/coordinator.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { startRedis, startWorker, type TestRedis, type WorkerProcess } from '../helpers/redis.js';
import { chromiumAfterExit, chromiumProcesses } from '../helpers/servers.js';

const scenario = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));
const USERS = 12;

describe('the farm’s Redis restarted mid-run', () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  let sink: MailSink;
  let site: DemoSite;
  const chromiumBefore = chromiumProcesses();

  beforeAll(async () => {
    redis = await startRedis();
    sink = new MailSink({ port: 0 });
    await sink.start();
    site = await startDemoSite(0, { smtpPort: sink.port });
    workers = await Promise.all([0, 1].map(() => startWorker(redis.url, ['--concurrency', '3', '--browsers', '1'])));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    await site?.close();
    await sink?.stop();
  });

  it('ends the run with every person accounted for once, the lost ones said to be the farm’s', async () => {
    let finished = 0;
    let restarted: Promise<void> | null = null;
    const started = Date.now();
    const summary = await replayOnFarm(
      scenario,
      { users: USERS, baseUrl: site.url, sink, redis: redis.url, artifactsDir: null, workerWaitMs: 20_000 },
      { onPersonFinished: () => void (++finished === 3 && (restarted = redis.restart(1000))) },
    );
    await restarted;
    expect(restarted, 'Redis was restarted during the run').not.toBeNull();
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(summary.results.map((r) => r.user)).toEqual(Array.from({ length: USERS }, (_, k) => k + 1));
    const { people } = site.truth();
    for (const r of summary.results) {
      if (r.status === 'passed') {
        // The site agrees: this person really got through.
        expect(people.find((p) => p.email === r.email)?.reached, `person ${r.user}`).toBe('submitted');
        continue;
      }
      expect(r.errorClass, `person ${r.user}: ${r.error}`).toBe('infrastructure');
      expect(r.error, `person ${r.user}`).toMatch(/^the farm could not run this person: .*(Redis|queue)/);
    }
    // Those finished before the restart kept their result; some were lost with it.
    expect(summary.users.passed).toBeGreaterThanOrEqual(3);
    expect(summary.users.infrastructure).toBeGreaterThan(0);
  }, 180_000);

  it('serves the next run on the same workers once Redis is back', async () => {
    const summary = await replayOnFarm(scenario, { users: 4, baseUrl: site.url, sink, redis: redis.url, artifactsDir: null, workerWaitMs: 20_000 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4].map((u) => [u, 'passed', null]));
  }, 120_000);

  it('leaves no Chromium behind', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    expect(await chromiumAfterExit(chromiumBefore)).toBe(chromiumBefore);
  });
});
