// A run stopped while people are mid-step on a farm worker: they were cut off by the farm, so
// they are `infrastructure`, exactly as in a run here — never a fault of the application.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { replayOnFarm } from '../../server/src/farm/coordinator.js';
import { FarmWorker } from '../../server/src/farm/worker.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

let redis: TestRedis;
let site: Served;
let sink: MailSink;
let worker: FarmWorker;

beforeAll(async () => {
  redis = await startRedis();
  site = await serveFixtures();
  sink = new MailSink({ port: 0 });
  await sink.start();
  worker = new FarmWorker({ redis: redis.url, concurrency: 4, browsers: 1 });
  await worker.start();
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await sink?.stop();
  await site?.close();
  await redis?.stop();
});

// Everyone waits (long) for an element that never comes: the stop finds them mid-step.
const waiting = () =>
  parseScenario({ title: 'stuck', steps: [{ type: 'navigate', url: `${site.url}/selectors.html` }, { type: 'waitForElement', selectors: ['#never'], timeout: 60_000 }] });

async function stoppedMidStep(run: (signal: AbortSignal, onStep: () => void) => Promise<{ results: { status: string; failedStep: number | null; errorClass: string | null; error: string | null }[] }>) {
  const stop = new AbortController();
  let atWait = 0;
  const summary = await run(stop.signal, () => {
    if (++atWait === 4) setTimeout(() => stop.abort(), 300);
  });
  return summary.results.map((r) => ({ status: r.status, failedStep: r.failedStep, errorClass: r.errorClass, error: r.error }));
}

describe('a run stopped while its people are mid-step', () => {
  it('on the farm: every person cut off is infrastructure, as in a run here', async () => {
    const onFarm = await stoppedMidStep((signal, onStep) =>
      replayOnFarm(waiting(), { users: 4, concurrency: 4, sink, redis: redis.url, signal, stopGraceMs: 10_000, workerWaitMs: 10_000 }, { beforeEachStep: (_p, step) => step === 1 && onStep() }),
    );
    const here = await stoppedMidStep((signal, onStep) =>
      replay(waiting(), { users: 4, concurrency: 4, sink, browsers: 1, signal }, { beforeEachStep: (_p, step) => step === 1 && onStep() }),
    );
    const cutOff = { status: 'failed', failedStep: 1, errorClass: 'infrastructure', error: 'the run was stopped before this person finished' };
    expect(onFarm).toEqual(Array(4).fill(cutOff));
    expect(here).toEqual(Array(4).fill(cutOff));
  }, 90_000);
});
