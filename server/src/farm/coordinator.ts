// A run on the farm: each synthetic person becomes one BullMQ job; `turnout worker` processes
// replay them and stream step events back. The coordinator feeds the same hooks as an in-process
// run (so the live view, the store and reports do not change) and ends the run when every person
// is accounted for exactly once: finished on a worker, or failed as `infrastructure` when the
// farm could not run them (a worker lost twice, no worker at all, a stop).
import { Queue, QueueEvents } from 'bullmq';
import type { PersonJob, RunSummary, Scenario } from '../../../schema/index.js';
import { ArtifactFolder } from '../engine/artifacts.js';
import { DEFAULT_SMTP_PORT } from '../engine/defaults.js';
import { arrivalsOf } from '../engine/arrivals.js';
import { InfrastructureError } from '../engine/errors.js';
import { RunHealth, type HealthSample } from '../engine/health.js';
import type { ReplayHooks } from '../engine/replay.js';
import { planRun, type ReplayOptions } from '../engine/run-plan.js';
import { MailSink } from '../mail/sink.js';
import { buildSummary } from '../runs/aggregate.js';
import { FarmLedger } from './ledger.js';
import { relayMail } from './mail.js';
import { connectRedis, controlChannel, eventsChannel, HEALTH_CHANNEL, jobId, PEOPLE_QUEUE, planKey, redisLabel, RUN_PLAN_TTL_S } from './redis.js';

export interface FarmOptions {
  /** The farm's Redis: `redis://host:port`. */
  redis: string;
  /** A run with people left and no worker connected for this long gives up on them (default 60 s). */
  workerWaitMs?: number;
  /** How long a stopped run waits for the people already running (default 30 s). */
  stopGraceMs?: number;
  /** False when the target mails a `turnout sink` process: no sink is started here. */
  startSink?: boolean;
}

const RECONCILE_INTERVAL_MS = 2000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Answers that no Redis is at the address (nothing listening, no such host): no reason to wait on. */
const NOTHING_THERE = new Set(['ECONNREFUSED', 'ENOTFOUND']);
const CLOSE_TIMEOUT_MS = 3000;

export async function replayOnFarm(scenario: Scenario, options: ReplayOptions & FarmOptions, hooks: ReplayHooks = {}): Promise<RunSummary> {
  // Concurrency and browsers are the workers' to say: filled in from their health at the end.
  // Secrets are the workers' too: each checks its own environment.
  const { plan, options: runOptions, arrivals } = planRun(scenario, options, { concurrency: 0, browsers: 0, browser: 'farm' });
  const { runId, total } = plan;

  const label = redisLabel(options.redis);
  let redisError: Error | null = null;
  let refused: (e: Error) => void = () => undefined;
  const onError = (e: Error): void => {
    redisError ??= e;
    if (NOTHING_THERE.has((e as NodeJS.ErrnoException).code ?? '')) refused(e);
  };
  const redis = connectRedis(options.redis, 'turnout-coordinator', onError);
  // Reach Redis before anything else connects: a farm that is not there fails fast and clean —
  // at once when the address answers that nothing listens there, else within CONNECT_TIMEOUT_MS.
  let connectTimer: NodeJS.Timeout | undefined;
  const unreachable = new Promise<never>((_, reject) => {
    refused = reject;
    connectTimer = setTimeout(() => reject(redisError ?? new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([redis.ping(), unreachable]);
  } catch (e) {
    redis.disconnect();
    throw new InfrastructureError(`could not reach the farm's Redis at ${label}: ${(e as Error).message}`);
  } finally {
    clearTimeout(connectTimer);
    refused = () => undefined;
  }
  const subscriber = connectRedis(options.redis, 'turnout-coordinator-sub', onError);
  const queue = new Queue<PersonJob, unknown>(PEOPLE_QUEUE, { connection: redis });
  const eventsConnection = connectRedis(options.redis, 'turnout-coordinator-events', onError);
  const events = new QueueEvents(PEOPLE_QUEUE, { connection: eventsConnection });
  queue.on('error', onError);
  events.on('error', onError);
  const ownSink = options.sink || options.startSink === false ? null : new MailSink({ port: options.smtpPort ?? DEFAULT_SMTP_PORT });
  const sink = options.sink ?? ownSink;
  const stopRelay = sink ? relayMail(sink, redis, onError) : () => undefined;

  const health = new RunHealth(runId);
  const artifacts = new ArtifactFolder(options.artifactsDir ?? null, plan.screenshotCap);
  const ledger = new FarmLedger(plan, hooks, health, artifacts);
  const startedAt = new Date();
  const userOf = (id: string | undefined): number | null => {
    const prefix = `${runId}.`;
    return id?.startsWith(prefix) ? Number(id.slice(prefix.length)) : null;
  };
  const withUser = (id: string | undefined, act: (user: number) => unknown): void => {
    const user = userOf(id);
    if (user !== null) void Promise.resolve(act(user)).catch(onError);
  };
  events.on('completed', ({ jobId: id, returnvalue }) => withUser(id, (user) => ledger.completed(user, returnvalue)));
  events.on('stalled', ({ jobId: id }) => withUser(id, (user) => ledger.stalled(user)));
  events.on('failed', ({ jobId: id, failedReason }) => withUser(id, (user) => ledger.failed(user, failedReason)));
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === HEALTH_CHANNEL) health.add(JSON.parse(message) as HealthSample);
    else ledger.event(message);
  });

  /** Catches what events may miss (a result that came while we were reconnecting, a removed job). */
  const reconcile = async (): Promise<void> => {
    for (let user = 1; user <= total; user++) {
      if (ledger.accounted(user)) continue;
      // State first, then the job: a job read first and found completed a moment later would
      // carry no return value yet, and a good person would be failed as malformed.
      const state = await queue.getJobState(jobId(runId, user));
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
      const job = await queue.getJob(jobId(runId, user));
      if (!job) ledger.failed(user, 'its job disappeared from the queue');
      else if (state === 'completed') await ledger.completed(user, job.returnvalue);
      else if (state === 'failed') ledger.failed(user, job.failedReason);
    }
  };

  const stop = options.signal;
  const onStop = (): void => {
    void (async () => {
      await redis.publish(controlChannel(runId), 'stop');
      // People not yet started are not run, as in a stopped in-process run.
      for (let user = 1; user <= total; user++) {
        if (ledger.accounted(user) || ledger.started(user)) continue;
        const job = await queue.getJob(jobId(runId, user));
        if (await job?.remove().then(() => true, () => false)) ledger.skipped(user);
      }
      setTimeout(() => ledger.giveUp('the run was stopped before this person finished'), options.stopGraceMs ?? 30_000).unref();
    })().catch(onError);
  };

  let timer: NodeJS.Timeout | null = null;
  try {
    await ownSink?.start();
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await subscriber.subscribe(eventsChannel(runId), HEALTH_CHANNEL);
    await redis.set(planKey(runId), JSON.stringify(plan), 'EX', RUN_PLAN_TTL_S);
    await queue.addBulk(
      Array.from({ length: total }, (_, k) => ({
        name: 'person',
        data: { runId, user: k + 1 },
        opts: {
          jobId: jobId(runId, k + 1),
          // An open model's arrivals are due at their time; a closed one's spread over the ramp-up.
          delay: arrivals ? arrivals[k]! : Math.round(k * plan.rampStepMs),
          // An error in the worker itself (Redis blinked) is tried once more; a job it cannot use
          // at all (malformed, no plan, a missing secret) fails at once.
          attempts: 2,
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    );
    hooks.onStarted?.({ runId, total, options: runOptions });
    stop?.addEventListener('abort', onStop, { once: true });
    if (stop?.aborted) onStop();

    const workerWaitMs = options.workerWaitMs ?? 60_000;
    let noWorkerSince: number | null = null;
    let redisDownSince: number | null = null;
    let busy = false;
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        // Redis gone: ioredis keeps reconnecting; past the wait, the people left are given up.
        redisDownSince = redis.status === 'ready' ? null : (redisDownSince ?? Date.now());
        if (redisDownSince !== null) {
          if (Date.now() - redisDownSince >= workerWaitMs) ledger.giveUp(`lost the farm's Redis at ${label}: ${redisError?.message ?? redis.status}`);
          return;
        }
        await reconcile();
        const workers = await queue.getWorkersCount();
        noWorkerSince = workers > 0 ? null : (noWorkerSince ?? Date.now());
        if (noWorkerSince !== null && Date.now() - noWorkerSince >= workerWaitMs) {
          ledger.giveUp(`no Turnout worker was connected to ${label} for ${Math.round(workerWaitMs / 1000)} s`);
        }
      })()
        .catch(onError)
        .finally(() => (busy = false));
    }, RECONCILE_INTERVAL_MS);
    await ledger.done;
  } finally {
    if (timer) clearInterval(timer);
    stop?.removeEventListener('abort', onStop);
    stopRelay();
    // With Redis gone, commands would wait for it forever: cleanup is bounded, then cut.
    const cleanup = Promise.allSettled([redis.status === 'ready' ? redis.del(planKey(runId)) : null, events.close(), queue.close()]);
    await Promise.race([cleanup, new Promise((r) => setTimeout(r, CLOSE_TIMEOUT_MS).unref())]);
    subscriber.disconnect();
    eventsConnection.disconnect();
    redis.disconnect();
    await ownSink?.stop();
  }
  const workers = health.summary();
  runOptions.concurrency = health.concurrency();
  runOptions.browsers = workers.length;
  const results = ledger.results();
  // An open model: people a worker took more than dropLateMs after they arrived found every
  // worker slot busy, and were dropped as in a run here.
  const arrived = arrivals ? arrivalsOf(options.phases!, results, startedAt.getTime(), ledger.dropped) : undefined;
  const queued = ledger.dropped
    ? [`${ledger.dropped} of ${total} arriving people could not start: every worker slot was busy when they arrived (taken more than ${plan.dropLateMs! / 1000} s late); the farm did not keep up with the arrival rate`]
    : [];
  return buildSummary(scenario, { runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: runOptions }, results, {
    warnings: [...queued, ...artifacts.warnings, ...ledger.warnings(), ...health.warnings()],
    workers,
    ...(arrived ? { arrivals: arrived } : {}),
  });
}
