// A run: N synthetic people through one scenario, at most `concurrency` at once, started over
// the ramp-up, on a shared browser pool, with their mail going to one sink. Knows nothing of
// HTTP or sockets: callers watch it through hooks and get the run summary at the end.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { PersonResult, RunOptions, RunSummary, Scenario } from '../../../schema/index.js';
import { MailSink } from '../mail/sink.js';
import { buildSummary } from '../runs/aggregate.js';
import { BrowserPool } from './browser-pool.js';
import { InfrastructureError, ReplayInputError } from './errors.js';
import type { BrowserKind } from './chromium.js';
import { runPerson, type ArtifactBudget, type PersonHooks } from './person.js';
import { UrlPolicy } from './urls.js';
import { HealthSampler, RunHealth } from './health.js';
import { secretNames } from './variables.js';

import { DEFAULT_EMAIL_TIMEOUT_MS, DEFAULT_MAIL_DOMAIN, DEFAULT_PERSON_DEADLINE_MS, DEFAULT_SCREENSHOT_CAP, DEFAULT_SMTP_PORT, DEFAULT_STEP_TIMEOUT_MS } from './defaults.js';

export { DEFAULT_MAIL_DOMAIN, DEFAULT_SMTP_PORT };

export interface ReplayOptions {
  users: number;
  concurrency?: number;
  rampUpMs?: number;
  /** Each iteration sends a new crowd of `users` distinct people through the flow. */
  iterations?: number;
  stepTimeoutMs?: number;
  emailTimeoutMs?: number;
  personDeadlineMs?: number;
  baseUrl?: string | null;
  allowOrigins?: readonly string[];
  mailDomain?: string;
  seed?: string;
  runId?: string;
  browsers?: number;
  prefer?: BrowserKind;
  /** Playwright browser servers (ws://…, optionally #capacity=N) to use instead of local Chromium. */
  browserEndpoints?: readonly string[];
  artifactsDir?: string | null;
  fixturesDir?: string;
  /** A running sink to use; without one the run starts its own on `smtpPort`. */
  sink?: MailSink;
  smtpPort?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Keep Playwright traces of failed people (in artifactsDir/traces), at most traceCap. */
  trace?: 'off' | 'on-failure';
  traceCap?: number;
  /** Most failure screenshots one run writes (default 200). */
  screenshotCap?: number;
}

export interface ReplayHooks extends PersonHooks {
  onStarted?: (info: { runId: string; total: number; options: RunOptions }) => void;
  onPersonFinished?: (result: PersonResult) => void;
}

export class RunStoppedError extends InfrastructureError {
  override name = 'RunStoppedError';
}

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A run's options as its summary records them, defaults filled in; where it runs says the rest. */
export function runOptionsOf(options: ReplayOptions, runId: string, where: Pick<RunOptions, 'concurrency' | 'browsers' | 'browser'>): RunOptions {
  return {
    users: options.users,
    rampUpMs: options.rampUpMs ?? 0,
    iterations: options.iterations ?? 1,
    stepTimeoutMs: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    personDeadlineMs: options.personDeadlineMs ?? DEFAULT_PERSON_DEADLINE_MS,
    baseUrl: options.baseUrl ?? null,
    mailDomain: options.mailDomain ?? DEFAULT_MAIL_DOMAIN,
    seed: options.seed ?? runId,
    ...where,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function replay(scenario: Scenario, options: ReplayOptions, hooks: ReplayHooks = {}): Promise<RunSummary> {
  const env = options.env ?? process.env;
  const secrets = secretNames(scenario);
  const missing = secrets.filter((n) => env[n] === undefined);
  if (missing.length > 0) {
    throw new ReplayInputError(`the scenario uses ${missing.map((n) => `{{secret.${n}}}`).join(', ')}: set ${missing.join(', ')} in the environment`);
  }
  const total = options.users * (options.iterations ?? 1);
  const concurrency = Math.max(1, Math.min(total, options.concurrency ?? 4 * availableParallelism()));
  const runId = options.runId ?? newRunId();
  const runOptions = runOptionsOf(options, runId, {
    concurrency,
    browsers: Math.max(1, Math.min(concurrency, options.browsers ?? availableParallelism())),
    browser: '',
  });
  const urls = new UrlPolicy(scenario, runOptions.baseUrl, options.allowOrigins);
  const stop = new AbortController();
  const onStop = (): void => stop.abort(new RunStoppedError('the run was stopped before this person finished'));
  options.signal?.addEventListener('abort', onStop, { once: true });

  const ownSink = options.sink ? null : new MailSink({ port: options.smtpPort ?? DEFAULT_SMTP_PORT });
  const sink = options.sink ?? ownSink!;
  let pool: BrowserPool | null = null;
  const startedAt = new Date();
  const results: PersonResult[] = [];
  const screenshotCap = options.screenshotCap ?? DEFAULT_SCREENSHOT_CAP;
  const artifacts: ArtifactBudget = { screenshotCap, screenshotsLeft: screenshotCap, warnings: new Set() };
  const health = new RunHealth(runId);
  let running = 0;
  const sampler = new HealthSampler(() => ({ [runId]: running }), (s) => health.add(s), concurrency);
  try {
    await ownSink?.start();
    pool = new BrowserPool({ browsers: runOptions.browsers, prefer: options.prefer, endpoints: options.browserEndpoints });
    runOptions.browser = pool.kind;
    if (pool.endpoints) runOptions.browsers = pool.endpoints;
    await pool.warm();
    hooks.onStarted?.({ runId, total, options: runOptions });
    sampler.start();

    const traces = options.trace === 'on-failure' ? { left: options.traceCap ?? 10 } : null;
    let next = 0;
    const rampStep = total > 1 ? runOptions.rampUpMs / total : 0;
    const worker = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        const k = next++;
        if (k >= total) return;
        const wait = startedAt.getTime() + k * rampStep - Date.now();
        if (wait > 0) await sleep(wait);
        if (stop.signal.aborted) return;
        running++;
        const result = await runPerson({
          index: k + 1,
          scenario,
          runId,
          runTag: runId.slice(-6),
          seed: runOptions.seed,
          mailDomain: runOptions.mailDomain,
          stepTimeoutMs: runOptions.stepTimeoutMs,
          emailTimeoutMs: options.emailTimeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS,
          deadlineMs: runOptions.personDeadlineMs,
          artifactsDir: options.artifactsDir ?? null,
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
        results.push(result);
        health.countPerson(result.worker);
        hooks.onPersonFinished?.(result);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    sampler.stop();
    options.signal?.removeEventListener('abort', onStop);
    await pool?.close();
    await ownSink?.stop();
  }
  results.sort((a, b) => a.user - b.user);
  return buildSummary(scenario, { runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: runOptions }, results, {
    warnings: [...artifacts.warnings, ...health.warnings()],
    workers: health.summary(),
  });
}
