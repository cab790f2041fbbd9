// What is on Redis is input like any other: a worker given malformed jobs (500 generated ones,
// and plans that do not parse) fails each of those people alone, as the farm's fault, at once and
// without a retry, and keeps serving; a coordinator whose step-event channel carries garbage
// still accounts for every person of the run and says what it dropped.
import fc from 'fast-check';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { replayOnFarm } from '../../server/src/farm/coordinator.js';
import { eventsChannel, HEALTH_CHANNEL, PEOPLE_QUEUE, planKey } from '../../server/src/farm/redis.js';
import { FarmWorker } from '../../server/src/farm/worker.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

const CASES = 500;

let redis: TestRedis;
let site: Served;
let sink: MailSink;
let worker: FarmWorker;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  site = await serveFixtures();
  sink = new MailSink({ port: 0 });
  await sink.start();
  worker = new FarmWorker({ redis: redis.url, concurrency: 8, browsers: 1 });
  await worker.start();
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await worker?.close();
  await sink?.stop();
  await site?.close();
  await redis?.stop();
});

const scenario = () =>
  parseScenario({ title: 'selectors', steps: [{ type: 'navigate', url: `${site.url}/selectors.html` }, { type: 'waitForElement', selectors: ['#email'] }] });

/** Jobs a broken or hostile producer could leave on the queue. */
const badJob = fc.oneof(
  fc.anything(),
  fc.record({ runId: fc.oneof(fc.string(), fc.anything()), user: fc.oneof(fc.integer(), fc.double(), fc.anything()) }),
  fc.record({ runId: fc.constantFrom('bad-plan', 'no-plan'), user: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ runId: fc.constant('good-plan'), user: fc.integer({ min: 4, max: 1_000_000 }) }),
);

describe('malformed jobs on the farm’s queue', () => {
  it(`fail only their own person, as the farm’s fault, without a retry (${CASES} generated)`, async () => {
    // A plan that does not parse, and a real one whose run has 3 people.
    await client.set(planKey('bad-plan'), JSON.stringify({ runId: 'bad-plan', scenario: { title: 'x', steps: 'nope' } }));
    const good = { runId: 'good-plan', runTag: 'abc123', scenario: scenario(), seed: 's', mailDomain: 'inbox.turnout.test', stepTimeoutMs: 2000, emailTimeoutMs: 2000, personDeadlineMs: 10_000, baseUrl: null, allowOrigins: [], screenshotCap: 0, total: 3, rampStepMs: 0 };
    await client.set(planKey('good-plan'), JSON.stringify(good));

    const queue = new Queue(PEOPLE_QUEUE, { connection: client });
    const events = new QueueEvents(PEOPLE_QUEUE, { connection: client.duplicate() });
    await events.waitUntilReady();
    const reasons = new Map<string, string>();
    const completed: string[] = [];
    events.on('failed', ({ jobId, failedReason }) => void reasons.set(jobId, failedReason));
    events.on('completed', ({ jobId }) => void completed.push(jobId));
    const data = fc.sample(badJob, { numRuns: CASES, seed: 42 });
    await queue.addBulk(data.map((d, i) => ({ name: 'person', data: d, opts: { jobId: `fuzz.${i}`, attempts: 2 } })));
    for (let i = 0; i < 600 && reasons.size + completed.length < CASES; i++) await new Promise((r) => setTimeout(r, 100));

    expect(completed).toEqual([]);
    expect(reasons.size).toBe(CASES);
    for (const reason of reasons.values()) {
      expect(reason).toMatch(/^(job fuzz\.\d+ is (malformed: .+|not JSON)|the plan of run bad-plan is malformed: .*scenario\.steps: .+|run \S+ has no plan in Redis .+|job fuzz\.\d+: person \d+ is not in run good-plan \(3 people\))$/);
    }
    // Each failed at its first attempt: a malformed job is not worth a second one.
    const attempts = await Promise.all([...reasons.keys()].slice(0, 50).map(async (id) => (await queue.getJob(id))?.attemptsMade));
    expect(new Set(attempts)).toEqual(new Set([1]));
    // Refused people hold nothing: the worker's next health sample lists no run it still keeps.
    const listener = client.duplicate();
    await listener.subscribe(HEALTH_CHANNEL);
    const sample = await new Promise<{ active: Record<string, number> }>((r) => listener.once('message', (_c: string, m: string) => r(JSON.parse(m))));
    listener.disconnect();
    expect(sample.active).toEqual({});
    await events.close();
    await queue.close();
  }, 120_000);

  it('leave the worker serving: a real run afterwards passes, even with garbage on its event channel', async () => {
    const stop = new AbortController();
    const noise = setInterval(() => {
      for (const junk of fc.sample(fc.oneof(fc.string(), fc.json(), fc.constant('{"attempt":"x","worker":"w","event":{"kind":"stepStarted","user":1,"step":-1}}')), 20)) {
        void client.publish(eventsChannel('farm-messages-run'), typeof junk === 'string' ? junk : JSON.stringify(junk));
      }
    }, 20);
    try {
      const summary = await replayOnFarm(scenario(), { users: 3, sink, redis: redis.url, runId: 'farm-messages-run', workerWaitMs: 10_000, signal: stop.signal });
      expect(summary.users).toEqual({ total: 3, passed: 3, failed: 0, infrastructure: 0 });
      expect(summary.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^dropped \d+ malformed step event\(s\) from the farm; the first: a step event is (malformed|not JSON)/)]));
    } finally {
      clearInterval(noise);
    }
  }, 60_000);
});
