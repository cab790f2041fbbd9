// A run on the farm: each synthetic person becomes one BullMQ job; `turnout worker` processes
// replay them and stream step events back. The coordinator feeds the same hooks as an in-process
// run (so the live view, the store and reports do not change) and ends the run when every person
// is accounted for exactly once: finished on a worker, or failed as `infrastructure` when the
// farm could not run them (a worker lost twice, no worker at all, a stop).
import { Queue, QueueEvents } from 'bullmq';
import { applyEvent, eventUser, FarmEvent, PersonJobResult, type PersonJob, type PersonResult, type RunSummary, type Scenario } from '../../../schema/index.js';
import { ArtifactFolder, screenshotFile } from '../engine/artifacts.js';
import { DEFAULT_SMTP_PORT } from '../engine/defaults.js';
import { InfrastructureError } from '../engine/errors.js';
import { RunHealth, type HealthSample } from '../engine/health.js';
import type { ReplayHooks } from '../engine/replay.js';
import { planRun, type ReplayOptions } from '../engine/run-plan.js';
import { MailSink } from '../mail/sink.js';
import { buildSummary } from '../runs/aggregate.js';
import { relayMail } from './mail.js';
import { connectRedis, controlChannel, eventsChannel, HEALTH_CHANNEL, jobId, parseMessage, PEOPLE_QUEUE, planKey, redisLabel, RUN_PLAN_TTL_S } from './redis.js';

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
const CLOSE_TIMEOUT_MS = 3000;

/** A person the farm could not run: counted, never lost. */
function farmFailure(user: number, email: string, message: string, worker: string | null = null): PersonResult {
  return { user, email, status: 'failed', failedStep: 0, errorClass: 'infrastructure', error: message, url: null, httpStatus: null, screenshot: null, trace: null, blocked: {}, pageSays: null, httpProblems: [], startedAt: new Date().toISOString(), durationMs: 0, steps: [], worker };
}

interface Person {
  attempt: string | null;
  email: string;
  started: boolean;
}

export async function replayOnFarm(scenario: Scenario, options: ReplayOptions & FarmOptions, hooks: ReplayHooks = {}): Promise<RunSummary> {
  // Concurrency and browsers are the workers' to say: filled in from their health at the end.
  // Secrets are the workers' too: each checks its own environment.
  const { plan, options: runOptions } = planRun(scenario, options, { concurrency: 0, browsers: 0, browser: 'farm' });
  const { runId, total } = plan;

  const label = redisLabel(options.redis);
  let redisError: Error | null = null;
  const onError = (e: Error): void => void (redisError ??= e);
  const redis = connectRedis(options.redis, 'turnout-coordinator', onError);
  // Reach Redis before anything else connects: a farm that is not there fails fast and clean.
  let connectTimer: NodeJS.Timeout | undefined;
  const unreachable = new Promise<never>((_, reject) => {
    connectTimer = setTimeout(() => reject(redisError ?? new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([redis.ping(), unreachable]);
  } catch (e) {
    redis.disconnect();
    throw new InfrastructureError(`could not reach the farm's Redis at ${label}: ${(e as Error).message}`);
  } finally {
    clearTimeout(connectTimer);
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
  const people = new Map<number, Person>();
  const results = new Map<number, PersonResult>();
  /** People a stop removed from the queue before they started: not run, as in-process. */
  const skipped = new Set<number>();
  const accounted = (user: number): boolean => results.has(user) || skipped.has(user);
  const artifacts = new ArtifactFolder(options.artifactsDir ?? null, plan.screenshotCap);
  const warnings = artifacts.warnings;
  const startedAt = new Date();
  let settle: () => void = () => undefined;
  const allIn = new Promise<void>((resolve) => (settle = resolve));
  const userOf = (id: string | undefined): number | null => {
    const prefix = `${runId}.`;
    return id?.startsWith(prefix) ? Number(id.slice(prefix.length)) : null;
  };

  /** Counts a person once; later news of them (a retry's result, late events) is dropped. */
  const account = (user: number, result: PersonResult): void => {
    if (accounted(user) || user < 1 || user > total) return;
    const p = people.get(user);
    if (!p?.started) hooks.onPersonStarted?.(user, result.email);
    results.set(user, result);
    health.countPerson(result.worker);
    hooks.onPersonFinished?.(result);
    if (results.size + skipped.size === total) settle();
  };

  /** A worker's result, parsed: one that does not parse fails that person alone, as the farm's fault. */
  const completed = async (user: number, value: unknown): Promise<void> => {
    if (accounted(user)) return;
    let job: PersonJobResult;
    try {
      job = parseMessage(PersonJobResult, value, `the result of person ${user}`);
      if (job.person.user !== user) throw new Error(`the result of person ${user} names person ${job.person.user}`);
    } catch (e) {
      return failed(user, (e as Error).message);
    }
    const { person, screenshotPng } = job;
    person.screenshot = screenshotPng ? await artifacts.keepScreenshot(screenshotFile(runId, user, person.failedStep), Buffer.from(screenshotPng, 'base64')) : null;
    account(user, person);
  };
  const failed = (user: number, reason: string): void => {
    const p = people.get(user);
    account(user, farmFailure(user, p?.email ?? '', `the farm could not run this person: ${reason}`));
  };

  events.on('completed', ({ jobId: id, returnvalue }) => {
    const user = userOf(id);
    if (user !== null) void completed(user, returnvalue).catch(onError);
  });
  /** People whose worker went silent mid-flow (lost, or too busy to renew its lock): started again. */
  const restarted = new Set<number>();
  const dropped: { count: number; first?: string } = { count: 0 };
  events.on('stalled', ({ jobId: id }) => {
    const user = userOf(id);
    if (user !== null && !accounted(user)) restarted.add(user);
  });
  events.on('failed', ({ jobId: id, failedReason }) => {
    const user = userOf(id);
    if (user !== null) failed(user, failedReason);
  });

  subscriber.on('message', (channel: string, message: string) => {
    if (channel === HEALTH_CHANNEL) return health.add(JSON.parse(message) as HealthSample);
    // An event that does not parse is dropped (and counted): the person's result still counts.
    let farm: FarmEvent;
    try {
      farm = parseMessage(FarmEvent, message, 'a step event');
    } catch (e) {
      dropped.first ??= (e as Error).message;
      return void dropped.count++;
    }
    const { attempt, event } = farm;
    const user = eventUser(event);
    if (accounted(user) || user > total || event.kind === 'personFinished') return; // results come with the job
    const p = people.get(user) ?? { attempt: null, email: '', started: false };
    people.set(user, p);
    if (event.kind === 'personStarted') {
      // A retried person starts over on another worker: the live view follows the new attempt.
      Object.assign(p, { attempt, email: event.email, started: true });
      applyEvent(event, hooks);
    } else if (attempt === p.attempt) {
      applyEvent(event, hooks);
    }
  });

  /** Catches what events may miss (a result that came while we were reconnecting, a removed job). */
  const reconcile = async (): Promise<void> => {
    for (let user = 1; user <= total; user++) {
      if (accounted(user)) continue;
      const job = await queue.getJob(jobId(runId, user));
      if (!job) {
        failed(user, 'its job disappeared from the queue');
        continue;
      }
      const state = await job.getState();
      if (state === 'completed') await completed(user, job.returnvalue);
      else if (state === 'failed') failed(user, job.failedReason);
    }
  };

  const stop = options.signal;
  const onStop = (): void => {
    void (async () => {
      await redis.publish(controlChannel(runId), 'stop');
      // People not yet started are not run, as in a stopped in-process run.
      for (let user = 1; user <= total; user++) {
        if (accounted(user) || people.get(user)?.started) continue;
        const job = await queue.getJob(jobId(runId, user));
        if (await job?.remove().then(() => true, () => false)) skipped.add(user);
      }
      if (results.size + skipped.size === total) settle();
      setTimeout(() => {
        for (let user = 1; user <= total; user++) failed(user, 'the run was stopped before this person finished');
      }, options.stopGraceMs ?? 30_000).unref();
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
          delay: Math.round(k * plan.rampStepMs),
          // An error in the worker itself (no plan, a missing secret) is tried once more.
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
    const giveUp = (reason: string): void => {
      for (let user = 1; user <= total; user++) failed(user, reason);
    };
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
          if (Date.now() - redisDownSince >= workerWaitMs) giveUp(`lost the farm's Redis at ${label}: ${redisError?.message ?? redis.status}`);
          return;
        }
        await reconcile();
        const workers = await queue.getWorkersCount();
        noWorkerSince = workers > 0 ? null : (noWorkerSince ?? Date.now());
        if (noWorkerSince !== null && Date.now() - noWorkerSince >= workerWaitMs) {
          giveUp(`no Turnout worker was connected to ${label} for ${Math.round(workerWaitMs / 1000)} s`);
        }
      })()
        .catch(onError)
        .finally(() => (busy = false));
    }, RECONCILE_INTERVAL_MS);
    await allIn;
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
  const finished = [...results.values()].sort((a, b) => a.user - b.user);
  if (restarted.size) {
    const list = [...restarted].sort((a, b) => a - b);
    warnings.add(`${list.length} person(s) were started again because their worker went silent mid-flow (a lost or saturated worker): ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`);
  }
  if (dropped.count) warnings.add(`dropped ${dropped.count} malformed step event(s) from the farm; the first: ${dropped.first}`);
  const workers = health.summary();
  runOptions.concurrency = health.concurrency();
  runOptions.browsers = workers.length;
  return buildSummary(scenario, { runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: runOptions }, finished, {
    warnings: [...warnings, ...health.warnings()],
    workers,
  });
}
