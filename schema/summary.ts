// The run summary: the one contract that the CLI, the HTTP API, reports and the dashboard share.

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
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export type StepStatus = 'passed' | 'failed';

export interface RunOptions {
  users: number;
  concurrency: number;
  rampUpMs: number;
  iterations: number;
  stepTimeoutMs: number;
  personDeadlineMs: number;
  baseUrl: string | null;
  mailDomain: string;
  seed: string;
  browsers: number;
  browser: string;
}

export interface StepSummary {
  index: number;
  type: string;
  name: string | null;
  title: string;
  reached: number;
  passed: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  failures: Partial<Record<FailureClass, number>>;
}

export interface PersonStepResult {
  index: number;
  status: StepStatus;
  startedAt: string;
  durationMs: number;
  /** The selector candidate that found the element, as written in the scenario. */
  matchedSelector: string | null;
}

export interface PersonResult {
  user: number;
  email: string;
  status: StepStatus;
  failedStep: number | null;
  errorClass: FailureClass | null;
  error: string | null;
  url: string | null;
  /** Status of the last main-document response the person's page received. */
  httpStatus: number | null;
  /** Path of the failure screenshot, relative to the artifacts folder. */
  screenshot: string | null;
  /** Path of the Playwright trace of a failed person (--trace on-failure), relative to the artifacts folder. */
  trace: string | null;
  /** Requests to origins outside the allow-list, blocked: origin → count. */
  blocked: Record<string, number>;
  /** The visible error the page showed when the step failed (alerts, invalid fields), secrets removed. */
  pageSays: string | null;
  /** HTTP responses >= 500 and failed requests seen while the failing step ran. */
  httpProblems: string[];
  startedAt: string;
  durationMs: number;
  steps: PersonStepResult[];
  /** The worker that ran this person (host:pid, plus `via host:port` on a browser server); null when not known. */
  worker: string | null;
}

/** CPU and memory of one machine that ran people, sampled about once a second during the run. */
export interface WorkerHealth {
  worker: string;
  host: string;
  people: number;
  /** Share of the machine's CPU in use, in percent (all cores). */
  cpuAvgPct: number;
  cpuMaxPct: number;
  /** Seconds the machine spent above the saturation line (85 % CPU). */
  saturatedSeconds: number;
  /** Saturated long enough that its step timings are not trustworthy. */
  saturated: boolean;
  memoryUsedMaxMb: number;
  memoryTotalMb: number;
  samples: number;
}

export interface RunSummary {
  scenario: string;
  runId: string;
  startedAt: string;
  /** Null while the run is still going. */
  finishedAt: string | null;
  options: RunOptions;
  users: { total: number; passed: number; failed: number; infrastructure: number };
  steps: StepSummary[];
  results: PersonResult[];
  /** What the farm could not do without stopping the run (a full disk, a cap reached). */
  warnings?: string[];
  /** Health of each machine that ran people (one for a run on this machine). */
  workers?: WorkerHealth[];
}
