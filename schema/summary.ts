// The run summary: the one contract that the CLI, the HTTP API, reports, the farm and the
// dashboard share. Zod schemas (with the limits a result from the network must keep), types
// inferred from them: a person's result is parsed the same way wherever it arrives from.
import * as z from 'zod';

export const FAILURE_CLASSES = [
  'selector-not-found',
  'timeout',
  'assertion-failed',
  'http-error',
  'navigation-error',
  'email-timeout',
  'unexpected-page',
  'infrastructure',
] as const;
export const FailureClass = z.enum(FAILURE_CLASSES);
export type FailureClass = z.infer<typeof FailureClass>;

export const StepStatus = z.enum(['passed', 'failed']);
export type StepStatus = z.infer<typeof StepStatus>;

/** One phase of arrivals in an open model (as Artillery's phases): people per second, over a time. */
export const ArrivalPhase = z.strictObject({
  name: z.string().max(100).optional(),
  duration: z.number().positive().max(86_400).describe('seconds'),
  arrivalRate: z.number().min(0).max(1000).describe('people starting per second at the phase’s start'),
  rampTo: z.number().min(0).max(1000).optional().describe('people per second at the phase’s end (a straight ramp)'),
});
export type ArrivalPhase = z.infer<typeof ArrivalPhase>;

/** Think time before each step: none (a nightly run's speed), as recorded, or a fixed pause in ms. */
export const Think = z.union([z.literal('none'), z.literal('recorded'), z.number().int().nonnegative().max(600_000)]);
export type Think = z.infer<typeof Think>;

/**
 * Network profiles a person can be on (Chrome DevTools' throttling presets): download and upload
 * in kbit/s, round-trip latency in ms; `none` is the machine's own network.
 */
export const NETWORK_PROFILES = {
  none: null,
  '4g': { downloadKbps: 9000, uploadKbps: 1500, latencyMs: 165 },
  '3g': { downloadKbps: 1600, uploadKbps: 750, latencyMs: 563 },
  'slow-3g': { downloadKbps: 500, uploadKbps: 500, latencyMs: 2000 },
} as const;
export const NetworkProfile = z.enum(Object.keys(NETWORK_PROFILES) as [keyof typeof NETWORK_PROFILES, ...(keyof typeof NETWORK_PROFILES)[]]);
export type NetworkProfile = z.infer<typeof NetworkProfile>;

/** A share of the run's people on one network profile (shares are relative: 60/30/10 or 6/3/1). */
export const NetworkCohort = z.strictObject({ profile: NetworkProfile, share: z.number().positive().max(1_000_000) });
export type NetworkCohort = z.infer<typeof NetworkCohort>;

/**
 * "none:60,4g:30,3g:10" (a profile alone has share 1) → cohorts, or what is wrong and in which
 * cohort (the CLI's --network, the API's and the dashboard's text form).
 */
export function parseNetwork(text: string): NetworkCohort[] | { error: string } {
  const cohorts: NetworkCohort[] = [];
  for (const [i, part] of text.split(',').entries()) {
    const [name = '', share = '1', extra] = part.trim().split(':');
    if (extra !== undefined) return { error: `"${part.trim()}" (cohort ${i + 1}) should be profile:share, e.g. 3g:10` };
    if (!Object.hasOwn(NETWORK_PROFILES, name)) return { error: `unknown network profile "${name}" (cohort ${i + 1}); known: ${Object.keys(NETWORK_PROFILES).join(', ')}` };
    const n = Number(share);
    if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) return { error: `the share of "${name}" (cohort ${i + 1}) must be a positive number, got "${share}"` };
    if (cohorts.some((c) => c.profile === name)) return { error: `"${name}" is given twice` };
    cohorts.push({ profile: name as NetworkProfile, share: n });
  }
  return cohorts;
}

/** Network cohorts as a request gives them: the text form or the list. */
export const NetworkCohorts = z.union([z.string().max(200), z.array(NetworkCohort).min(1).max(10)]).transform((given, ctx) => {
  if (typeof given !== 'string') return given;
  const parsed = parseNetwork(given);
  if (!('error' in parsed)) return parsed;
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

export const RunOptions = z.object({
  users: z.number().int().nonnegative(),
  concurrency: z.number().int().nonnegative(),
  rampUpMs: z.number().nonnegative(),
  iterations: z.number().int().nonnegative(),
  stepTimeoutMs: z.number().nonnegative(),
  personDeadlineMs: z.number().nonnegative(),
  baseUrl: z.string().nullable(),
  mailDomain: z.string(),
  seed: z.string(),
  browsers: z.number().int().nonnegative(),
  browser: z.string(),
  /** An open model: people arrive by these phases (users is then how many the phases bring). */
  phases: z.array(ArrivalPhase).max(100).optional(),
  think: Think.optional(),
  thinkScale: z.number().nonnegative().optional(),
  /** Network cohorts: each person is on one profile, by share. */
  network: z.array(NetworkCohort).max(10).optional(),
  /** False when Web Vitals were not measured (--no-vitals). */
  vitals: z.boolean().optional(),
  /** The server's schedule that started the run. */
  schedule: z.string().optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

/** How the pages a step loaded felt and how fast they answered its input (Web Vitals; ms, CLS unitless). */
export const StepVitals = z.strictObject({
  ttfbMs: z.number().nonnegative().optional(),
  fcpMs: z.number().nonnegative().optional(),
  lcpMs: z.number().nonnegative().optional(),
  cls: z.number().nonnegative().optional(),
  inpMs: z.number().nonnegative().optional(),
});
export type StepVitals = z.infer<typeof StepVitals>;

export { VITALS, type Vital } from './vitals.js';

const Percentiles = z.object({ p50Ms: z.number(), p95Ms: z.number() });
/** Per step, over the people who passed it: p50/p95 of each vital measured (absent when none was). */
export const StepVitalsSummary = z.object({
  ttfb: Percentiles.optional(),
  fcp: Percentiles.optional(),
  lcp: Percentiles.optional(),
  inp: Percentiles.optional(),
  cls: z.object({ p50: z.number(), p95: z.number() }).optional(),
});
export type StepVitalsSummary = z.infer<typeof StepVitalsSummary>;

export const PersonStepResult = z.strictObject({
  index: z.number().int().nonnegative(),
  status: StepStatus,
  startedAt: z.string().max(40),
  durationMs: z.number().nonnegative(),
  /** The selector candidate that found the element, as written in the scenario. */
  matchedSelector: z.string().max(2000).nullable(),
  /** Web Vitals of the page the step loaded and of its interaction, where there were any. */
  vitals: StepVitals.optional(),
});
export type PersonStepResult = z.infer<typeof PersonStepResult>;

export const PersonResult = z.strictObject({
  user: z.number().int().positive(),
  email: z.string().max(320),
  status: StepStatus,
  failedStep: z.number().int().nonnegative().nullable(),
  errorClass: FailureClass.nullable(),
  error: z.string().max(4000).nullable(),
  url: z.string().max(4000).nullable(),
  /** Status of the last main-document response the person's page received. */
  httpStatus: z.number().int().nullable(),
  /** Path of the failure screenshot, relative to the artifacts folder. */
  screenshot: z.string().max(500).nullable(),
  /** Path of the Playwright trace of a failed person (--trace on-failure), relative to the artifacts folder. */
  trace: z.string().max(500).nullable(),
  /** Requests to origins outside the allow-list, blocked: origin → count. */
  blocked: z.record(z.string().max(300), z.number().int().nonnegative()).default({}),
  /** The visible error the page showed when the step failed (alerts, invalid fields), secrets removed. */
  pageSays: z.string().max(1000).nullable().default(null),
  /** HTTP responses >= 500 and failed requests seen while the failing step ran. */
  httpProblems: z.array(z.string().max(500)).max(50),
  startedAt: z.string().max(40),
  durationMs: z.number().nonnegative(),
  steps: z.array(PersonStepResult).max(1000),
  /** The worker that ran this person (host:pid, plus `via host:port` on a browser server); null when not known. */
  worker: z.string().max(200).nullable().default(null),
  /** The network profile the person was on, in a run with network cohorts. */
  network: NetworkProfile.nullable().default(null),
});
export type PersonResult = z.infer<typeof PersonResult>;

/**
 * A person with nothing against them yet (passed, no failure, no steps): what the engine starts
 * from, and what a person the run lost or cut off is built on, with its own overrides.
 */
export function personResult(user: number, email: string, startedAt: string, worker: string | null, overrides: Partial<PersonResult> = {}): PersonResult {
  return {
    user, email, status: 'passed', failedStep: null, errorClass: null, error: null, url: null, httpStatus: null, screenshot: null,
    trace: null, blocked: {}, pageSays: null, httpProblems: [], startedAt, durationMs: 0, steps: [], worker, network: null, ...overrides,
  };
}

export const StepSummary = z.object({
  index: z.number().int().nonnegative(),
  type: z.string(),
  name: z.string().nullable(),
  title: z.string(),
  reached: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  failures: z.partialRecord(FailureClass, z.number().int().nonnegative()),
  /** Web Vitals over the people who passed the step; absent where the step loaded nothing and had no interaction. */
  vitals: StepVitalsSummary.optional(),
  /** In a run with network cohorts, the step's funnel and timings per profile. */
  byNetwork: z.partialRecord(NetworkProfile, z.object({
    reached: z.number().int().nonnegative(),
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
  })).optional(),
});
export type StepSummary = z.infer<typeof StepSummary>;

/** CPU and memory of one machine that ran people, sampled about once a second during the run. */
export const WorkerHealth = z.object({
  worker: z.string(),
  host: z.string(),
  people: z.number().int().nonnegative(),
  /** Share of the machine's CPU in use, in percent (all cores). */
  cpuAvgPct: z.number(),
  cpuMaxPct: z.number(),
  /** Seconds the machine spent above the saturation line (85 % CPU). */
  saturatedSeconds: z.number(),
  /** Saturated long enough that its step timings are not trustworthy. */
  saturated: z.boolean(),
  memoryUsedMaxMb: z.number(),
  memoryTotalMb: z.number(),
  samples: z.number().int().nonnegative(),
});
export type WorkerHealth = z.infer<typeof WorkerHealth>;

export const PeopleCounts = z.object({
  total: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  infrastructure: z.number().int().nonnegative(),
  /** Arrivals that could not start: the most at once were already running (open model only). */
  dropped: z.number().int().nonnegative().optional(),
});

export const RunSummary = z.object({
  scenario: z.string(),
  runId: z.string(),
  startedAt: z.string(),
  /** Null while the run is still going. */
  finishedAt: z.string().nullable(),
  options: RunOptions,
  users: PeopleCounts,
  steps: z.array(StepSummary),
  results: z.array(PersonResult),
  /** What the farm could not do without stopping the run (a full disk, a cap reached). */
  warnings: z.array(z.string()).optional(),
  /** Health of each machine that ran people (one for a run on this machine). */
  workers: z.array(WorkerHealth).optional(),
  /** An open model's arrivals: people started in each second of the run, and those dropped. */
  arrivals: z.object({ perSecond: z.array(z.number().int().nonnegative()), dropped: z.number().int().nonnegative() }).optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;
