// A run: N synthetic people through one scenario, at most `concurrency` at once, started over
// the ramp-up, on a shared browser pool, with their mail going to one sink. Knows nothing of
// HTTP or sockets: callers watch it through hooks and get the run summary at the end.
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { personResult, type PersonResult, type RunOptions, type RunPlan, type RunSummary, type Scenario } from '../../../schema/index.js';
import { MailSink } from '../mail/sink.js';
import { buildSummary } from '../runs/aggregate.js';
import { ArtifactFolder } from './artifacts.js';
import { BrowserPool } from './browser-pool.js';
import { DEFAULT_MAIL_DOMAIN, DEFAULT_SMTP_PORT } from './defaults.js';
import { InfrastructureError } from './errors.js';
import { HealthSampler, RunHealth } from './health.js';
import { makeIdentity } from './identity.js';
import { arrivalsOf } from './arrivals.js';
import { runPerson, type PersonHooks } from './person.js';
import { pause, within } from './within.js';
import { planRun, requireSecrets, type ReplayOptions } from './run-plan.js';

export { DEFAULT_MAIL_DOMAIN, DEFAULT_SMTP_PORT };
export { newRunId, type ReplayOptions } from './run-plan.js';

export interface ReplayHooks extends PersonHooks {
  onStarted?: (info: { runId: string; total: number; options: RunOptions }) => void;
  onPersonFinished?: (result: PersonResult) => void;
}

export class RunStoppedError extends InfrastructureError {
  override name = 'RunStoppedError';
}

/** After a stop, how long people get to settle before their work is abandoned. */
export const STOP_GRACE_MS = 5000;
/** How long closing the browsers may take before the run ends without waiting for them. */
const CLOSE_GRACE_MS = 3000;

/** A person whose work did not settle after the run was stopped: the farm's loss, said so. */
function abandoned(plan: RunPlan, index: number, startedAt: number, worker: string | null): PersonResult {
  return personResult(index, makeIdentity(plan.seed, index, plan.runTag, plan.mailDomain).email, new Date(startedAt).toISOString(), worker, {
    status: 'failed',
    errorClass: 'infrastructure',
    error: `abandoned: the run was stopped and this person's browser did not finish within ${STOP_GRACE_MS / 1000} s`,
    durationMs: Date.now() - startedAt,
  });
}

export async function replay(scenario: Scenario, options: ReplayOptions, hooks: ReplayHooks = {}): Promise<RunSummary> {
  const env = options.env ?? process.env;
  const secrets = requireSecrets(scenario, env);
  const asked = options.phases ? Infinity : options.users * (options.iterations ?? 1);
  const concurrency = Math.max(1, Math.min(asked, options.concurrency ?? 4 * availableParallelism()));
  const { plan, options: runOptions, urls, arrivals } = planRun(scenario, options, {
    concurrency,
    browsers: Math.max(1, Math.min(concurrency, options.browsers ?? availableParallelism())),
    browser: '',
  });
  const { runId, total } = plan;
  const stop = new AbortController();
  // Every person running listens for the stop: that many listeners are expected, not a leak.
  setMaxListeners(concurrency + 10, stop.signal);
  const onStop = (): void => stop.abort(new RunStoppedError('the run was stopped before this person finished'));
  options.signal?.addEventListener('abort', onStop, { once: true });

  const ownSink = options.sink ? null : new MailSink({ port: options.smtpPort ?? DEFAULT_SMTP_PORT });
  const sink = options.sink ?? ownSink!;
  let pool: BrowserPool | null = null;
  /** When people may start: set again once the browsers are up, so that ramp-up and arrivals are timed from there. */
  let startedAt = new Date();
  const results: PersonResult[] = [];
  const artifacts = new ArtifactFolder(options.artifactsDir ?? null, plan.screenshotCap);
  const health = new RunHealth(runId);
  let running = 0;
  let dropped = 0;
  const sampler = new HealthSampler(() => ({ [runId]: running }), (s) => health.add(s), concurrency);
  try {
    await ownSink?.start();
    pool = new BrowserPool({ browsers: runOptions.browsers, prefer: options.prefer, endpoints: options.browserEndpoints });
    runOptions.browser = pool.kind;
    if (pool.endpoints) runOptions.browsers = pool.endpoints;
    await pool.warm();
    startedAt = new Date();
    hooks.onStarted?.({ runId, total, options: runOptions });
    sampler.start();

    const traces = options.trace === 'on-failure' ? { left: options.traceCap ?? 10 } : null;
    /** People running now, by index, with when they started: who is abandoned after a stop. */
    const active = new Map<number, number>();
    /** Person k (from 0): runs them, and counts their result unless they were abandoned after a stop. */
    const runOne = async (k: number): Promise<void> => {
      running++;
      active.set(k + 1, Date.now());
      const result = await runPerson({
        run: plan,
        index: k + 1,
        fixturesDir: options.fixturesDir ?? process.cwd(),
        urls,
        sink,
        pool: pool!,
        worker: sampler.worker,
        runSignal: stop.signal,
        env,
        secretNames: secrets,
        traces,
        artifacts,
        hooks,
      });
      running--;
      if (!active.delete(k + 1)) return; // abandoned after a stop: already counted
      results.push(result);
      health.countPerson(result.worker);
      hooks.onPersonFinished?.(result);
    };
    // A closed model: `concurrency` people at a time, each next one as soon as one ends.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        const k = next++;
        if (k >= total) return;
        const wait = startedAt.getTime() + k * plan.rampStepMs - Date.now();
        if (wait > 0) await pause(wait, stop.signal);
        if (stop.signal.aborted) return;
        await runOne(k);
      }
    };
    // An open model: people arrive on time whatever happens to earlier ones; one who arrives
    // while the most at once are running cannot start, and is counted as dropped.
    const arrive = async (offsets: number[]): Promise<void> => {
      const people: Promise<void>[] = [];
      for (const [k, offset] of offsets.entries()) {
        const wait = startedAt.getTime() + offset - Date.now();
        if (wait > 0) await pause(wait, stop.signal);
        if (stop.signal.aborted) break;
        if (running >= concurrency) dropped++;
        else people.push(runOne(k));
      }
      await Promise.all(people);
    };
    const everyone = arrivals ? arrive(arrivals) : Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
    // Stopped: people get a moment to settle; whoever has not by then is abandoned, so that a
    // browser in a bad state can never keep Ctrl-C from ending the run.
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    if ((await Promise.race([everyone, stopped])) === undefined && stop.signal.aborted && (await within(everyone, STOP_GRACE_MS)) === 'timed out') {
      for (const [index, started] of active) {
        const result = abandoned(plan, index, started, sampler.worker);
        results.push(result);
        hooks.onPersonFinished?.(result);
      }
      active.clear();
    }
  } finally {
    sampler.stop();
    options.signal?.removeEventListener('abort', onStop);
    if (pool) await within(pool.close(), CLOSE_GRACE_MS);
    await ownSink?.stop();
  }
  results.sort((a, b) => a.user - b.user);
  const arrived = arrivals ? arrivalsOf(options.phases!, results, startedAt.getTime(), dropped) : undefined;
  const droppedWarning = dropped
    ? [`${dropped} of ${total} arriving people could not start: ${concurrency} were already running (the most at once, --max-concurrency); the farm did not keep up with the arrival rate`]
    : [];
  return buildSummary(scenario, { runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: runOptions }, results, {
    warnings: [...droppedWarning, ...artifacts.warnings, ...health.warnings()],
    workers: health.summary(),
    ...(arrived ? { arrivals: arrived } : {}),
  });
}
