// `turnout worker`: one farm machine. Takes people from the BullMQ queue, replays each next to
// its own browsers (local Chromium or browser servers), streams step events back over Redis
// pub/sub and returns the person's result (with the failure screenshot) as the job's value.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { hooksToEvents, PersonJob, RunPlan, type FarmEvent, type PersonJobDropped, type PersonJobResult, type RunEvent } from '../../../schema/index.js';
import { HeldScreenshot } from '../engine/artifacts.js';
import { BrowserPool, parseEndpoint } from '../engine/browser-pool.js';
import type { BrowserKind } from '../engine/chromium.js';
import { InfrastructureError } from '../engine/errors.js';
import { HealthSampler } from '../engine/health.js';
import { runPerson } from '../engine/person.js';
import { requireSecrets } from '../engine/run-plan.js';
import { UrlPolicy } from '../engine/urls.js';
import { RedisMailbox } from './mail.js';
import { checkRedisUrl, connectRedis, CONTROL_PATTERN, eventsChannel, HEALTH_CHANNEL, parseMessage, PEOPLE_QUEUE, planKey, redisLabel } from './redis.js';

export const DEFAULT_LOCK_DURATION_MS = 30_000;
/** Stopped runs a worker remembers, so that their queued people are not started (months of nights). */
const STOPPED_RUNS_KEPT = 1000;

export interface FarmWorkerOptions {
  redis: string;
  /** People at once on this machine (default: 4 per core). */
  concurrency?: number;
  browsers?: number;
  prefer?: BrowserKind;
  browserEndpoints?: readonly string[];
  /**
   * How long a person's job stays locked to this worker without a renewal (renewed every half
   * of it). Past it, a worker that went silent is taken for lost and its people are retried once.
   */
  lockDurationMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Folder that file-upload paths in scenarios are relative to. */
  fixturesDir?: string;
  log?: (line: string) => void;
}

interface WorkerRun {
  plan: RunPlan;
  urls: UrlPolicy;
  stop: AbortController;
  active: number;
}

/** The run was stopped while a person ran here: the farm's doing, never the application's fault. */
export class RunStoppedOnFarm extends InfrastructureError {
  override name = 'RunStoppedError';
}

export class FarmWorker {
  readonly name: string;
  readonly concurrency: number;
  #options: FarmWorkerOptions;
  #redis: Redis;
  #subscriber: Redis;
  #pool: BrowserPool;
  #mailbox: RedisMailbox;
  #sampler: HealthSampler;
  #runs = new Map<string, WorkerRun>();
  #stopped = new Set<string>();
  #worker: Worker<unknown, PersonJobResult | PersonJobDropped>;
  #closing: Promise<void> | null = null;

  constructor(options: FarmWorkerOptions) {
    const log = options.log ?? (() => undefined);
    this.#options = options;
    const concurrency = options.concurrency ?? 4 * availableParallelism();
    this.concurrency = concurrency;
    checkRedisUrl(options.redis);
    for (const e of options.browserEndpoints ?? []) parseEndpoint(e);
    this.#pool = new BrowserPool({ browsers: options.browsers ?? availableParallelism(), prefer: options.prefer, endpoints: options.browserEndpoints });
    const onError = (e: Error): void => log(`redis ${redisLabel(options.redis)}: ${e.message}`);
    this.#redis = connectRedis(options.redis, 'turnout-worker', onError);
    this.#subscriber = connectRedis(options.redis, 'turnout-worker-sub', onError);
    this.#mailbox = new RedisMailbox(this.#redis, connectRedis(options.redis, 'turnout-worker-mail', onError));
    this.#sampler = new HealthSampler(
      () => Object.fromEntries([...this.#runs].map(([id, r]) => [id, r.active])),
      (sample) => void this.#redis.publish(HEALTH_CHANNEL, JSON.stringify(sample)).catch(() => undefined),
      concurrency,
    );
    this.name = this.#sampler.worker;
    void this.#subscriber.psubscribe(CONTROL_PATTERN);
    this.#subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
      const runId = channel.split(':')[2]!;
      if (message !== 'stop') return;
      this.#stopped.add(runId);
      // Stopped runs are remembered for people still queued; the oldest are forgotten past a bound.
      if (this.#stopped.size > STOPPED_RUNS_KEPT) this.#stopped.delete(this.#stopped.values().next().value!);
      this.#runs.get(runId)?.stop.abort(new RunStoppedOnFarm('the run was stopped before this person finished'));
    });
    const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    this.#worker = new Worker<unknown, PersonJobResult | PersonJobDropped>(PEOPLE_QUEUE, (job) => this.#process(job), {
      connection: this.#redis,
      name: this.name,
      concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      // A person whose worker vanished is retried once; vanishing twice fails them.
      maxStalledCount: 1,
      autorun: false,
    });
    this.#worker.on('error', onError);
  }

  /** Starts the browsers, then takes people from the queue. */
  async start(): Promise<void> {
    await this.#pool.warm();
    this.#sampler.start();
    void this.#worker.run();
    await this.#worker.waitUntilReady();
  }

  async #plan(runId: string): Promise<WorkerRun> {
    const known = this.#runs.get(runId);
    if (known) return known;
    const raw = await this.#redis.get(planKey(runId));
    if (!raw) throw new UnrecoverableError(`run ${runId} has no plan in Redis (it ended, or its plan expired)`);
    const plan = parseMessage(RunPlan, raw, `the plan of run ${runId}`);
    const again = this.#runs.get(runId);
    if (again) return again;
    const run: WorkerRun = { plan, urls: new UrlPolicy(plan.scenario, plan.baseUrl, plan.allowOrigins), stop: new AbortController(), active: 0 };
    this.#runs.set(runId, run);
    return run;
  }

  async #process(job: Job<unknown, PersonJobResult | PersonJobDropped>): Promise<PersonJobResult | PersonJobDropped> {
    // Redis is a boundary: what is on it is parsed like any input, and a job that does not parse
    // fails that person alone (as the farm's fault), at once, without a retry.
    const { runId, user } = parseMessage(PersonJob, job.data, `job ${job.id}`);
    if (this.#stopped.has(runId)) throw new RunStoppedOnFarm('the run was stopped before this person started');
    const run = await this.#plan(runId);
    // From here the run is held for this person, whatever happens: released in `finally`.
    run.active++;
    try {
      if (user > run.plan.total) throw new UnrecoverableError(`job ${job.id}: person ${user} is not in run ${runId} (${run.plan.total} people)`);
      // An open model: a person taken well after their arrival found every worker busy then.
      const lateMs = Date.now() - (job.timestamp + (job.opts.delay ?? 0));
      if (run.plan.dropLateMs !== undefined && job.attemptsMade === 0 && lateMs > run.plan.dropLateMs) return { droppedLateMs: lateMs };
      const env = this.#options.env ?? process.env;
      let secrets: string[];
      try {
        secrets = requireSecrets(run.plan.scenario, env, `the environment of worker ${this.name}`);
      } catch (e) {
        throw new UnrecoverableError((e as Error).message);
      }
      const attempt = randomUUID();
      const channel = eventsChannel(runId);
      const publish = (event: RunEvent): void =>
        void this.#redis.publish(channel, JSON.stringify({ attempt, worker: this.name, event } satisfies FarmEvent)).catch(() => undefined);
      const { onPersonStarted, beforeEachStep, afterEachStep } = hooksToEvents(publish);
      const screenshot = new HeldScreenshot();
      const person = await runPerson({
        run: run.plan,
        index: user,
        // Started before (a worker lost mid-flow, a start that failed): the site may hold that
        // attempt's sign-up, so this one is a new synthetic person.
        attempt: Math.max(0, job.attemptsStarted - 1),
        fixturesDir: this.#options.fixturesDir ?? process.cwd(),
        urls: run.urls,
        sink: this.#mailbox,
        pool: this.#pool,
        worker: this.name,
        runSignal: run.stop.signal,
        env,
        secretNames: secrets,
        traces: null,
        artifacts: screenshot,
        hooks: { onPersonStarted, beforeEachStep, afterEachStep },
      });
      return { person, screenshotPng: person.screenshot && screenshot.png ? screenshot.png.toString('base64') : null };
    } finally {
      run.active--;
      if (run.active === 0) this.#runs.delete(runId);
    }
  }

  /** Stops taking people, lets those running finish, then closes browsers and connections. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#worker.close();
      this.#sampler.stop();
      await this.#pool.close();
      this.#redis.disconnect();
      this.#subscriber.disconnect();
      this.#mailbox.close();
    })();
    return this.#closing;
  }
}
