// A run's set-up, done once wherever the run happens: its id, its plan (what every person needs,
// the same object a farm worker gets through Redis), its options as the summary records them,
// the URL policy (a bad base URL fails here, before anyone starts) and the secrets it needs.
import { randomBytes } from 'node:crypto';
import type { ArrivalPhase, NetworkCohort, RunOptions, RunPlan, Scenario, Think } from '../../../schema/index.js';
import { arrivalOffsets, MAX_ARRIVALS } from './arrivals.js';
import type { MailSink } from '../mail/sink.js';
import type { BrowserKind } from './chromium.js';
import { DEFAULT_EMAIL_TIMEOUT_MS, DEFAULT_MAIL_DOMAIN, DEFAULT_PERSON_DEADLINE_MS, DEFAULT_SCREENSHOT_CAP, DEFAULT_STEP_TIMEOUT_MS } from './defaults.js';
import { ReplayInputError } from './errors.js';
import { UrlPolicy } from './urls.js';
import { secretNames } from './variables.js';

export interface ReplayOptions {
  users: number;
  /** People running at once; in an open model (phases), the most at once before arrivals are dropped. */
  concurrency?: number;
  /** An open model: people arrive by these phases, whatever happens to earlier ones; users is ignored. */
  phases?: readonly ArrivalPhase[];
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
  /** Pauses before steps: 'none' (default), 'recorded' (each step's pauseMs), or ms; times thinkScale. */
  think?: Think;
  thinkScale?: number;
  /** Network cohorts: each person on one profile, by share (engine/network.ts). */
  network?: readonly NetworkCohort[];
  /** Measure Web Vitals per step (default true). */
  vitals?: boolean;
}

/**
 * On the farm, a person whose job waits this long past its arrival time found every worker slot
 * busy: dropped, as in a run here when the most at once are running (Redis and a busy worker's
 * own delay stay well under it).
 */
export const FARM_DROP_LATE_MS = 1000;

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The secrets a scenario uses, checked present in `env`. A run here checks its own environment,
 * a server its own, a farm worker its own: `where` says which, in the message.
 */
export function requireSecrets(scenario: Scenario, env: NodeJS.ProcessEnv, where = 'the environment'): string[] {
  const names = secretNames(scenario);
  const missing = names.filter((n) => env[n] === undefined);
  if (missing.length > 0) {
    throw new ReplayInputError(`the scenario uses ${missing.map((n) => `{{secret.${n}}}`).join(', ')}: set ${missing.join(', ')} in ${where}`);
  }
  return names;
}

export interface RunSetup {
  plan: RunPlan;
  /** The options as the summary records them; where the run happens fills in the rest. */
  options: RunOptions;
  urls: UrlPolicy;
  /** In an open model, when each person arrives (ms after the start); null in a closed one. */
  arrivals: number[] | null;
}

/** Builds the run's plan and options once, from the scenario and what was asked. */
export function planRun(scenario: Scenario, options: ReplayOptions, where: Pick<RunOptions, 'concurrency' | 'browsers' | 'browser'>): RunSetup {
  const runId = options.runId ?? newRunId();
  const arrivals = options.phases ? arrivalOffsets(options.phases) : null;
  if (arrivals && arrivals.length === 0) throw new ReplayInputError('the arrival phases bring nobody: give a phase an arrivalRate (or rampTo) above 0 for long enough');
  if (arrivals && arrivals.length > MAX_ARRIVALS) throw new ReplayInputError(`the arrival phases bring ${arrivals.length} people: at most ${MAX_ARRIVALS} per run`);
  const users = arrivals ? arrivals.length : options.users;
  const thinking = options.think !== undefined && options.think !== 'none';
  // Everyone on the machine's own network is no cohort at all.
  const cohorts = options.network?.some((c) => c.profile !== 'none') ? options.network.map((c) => ({ ...c })) : null;
  const total = arrivals ? users : users * (options.iterations ?? 1);
  const runOptions: RunOptions = {
    users,
    rampUpMs: arrivals ? 0 : (options.rampUpMs ?? 0),
    iterations: arrivals ? 1 : (options.iterations ?? 1),
    stepTimeoutMs: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    personDeadlineMs: options.personDeadlineMs ?? DEFAULT_PERSON_DEADLINE_MS,
    baseUrl: options.baseUrl ?? null,
    mailDomain: options.mailDomain ?? DEFAULT_MAIL_DOMAIN,
    seed: options.seed ?? runId,
    ...where,
    ...(options.phases ? { phases: [...options.phases] } : {}),
    ...(thinking ? { think: options.think, thinkScale: options.thinkScale ?? 1 } : {}),
    ...(cohorts ? { network: cohorts } : {}),
    ...(options.vitals === false ? { vitals: false } : {}),
  };
  const urls = new UrlPolicy(scenario, runOptions.baseUrl, options.allowOrigins);
  const plan: RunPlan = {
    runId,
    runTag: runId.slice(-6),
    scenario,
    seed: runOptions.seed,
    mailDomain: runOptions.mailDomain,
    stepTimeoutMs: runOptions.stepTimeoutMs,
    emailTimeoutMs: options.emailTimeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS,
    personDeadlineMs: runOptions.personDeadlineMs,
    baseUrl: runOptions.baseUrl,
    allowOrigins: [...(options.allowOrigins ?? [])],
    screenshotCap: options.screenshotCap ?? DEFAULT_SCREENSHOT_CAP,
    total,
    // Starts spread evenly over the ramp-up; everyone at once without one.
    rampStepMs: total > 1 ? runOptions.rampUpMs / total : 0,
    ...(thinking ? { think: options.think, thinkScale: options.thinkScale ?? 1 } : {}),
    ...(cohorts ? { network: cohorts } : {}),
    ...(options.vitals === false ? { vitals: false } : {}),
    ...(arrivals ? { dropLateMs: FARM_DROP_LATE_MS } : {}),
  };
  return { plan, options: runOptions, urls, arrivals };
}
