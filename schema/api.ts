// Bodies of the HTTP API and the events of its socket.io channel: one contract for server and
// dashboard (and, later, the extension's "send to server").
import * as z from 'zod';
import { ArrivalPhase, NetworkCohorts, WorkerHealth, type PersonResult, type RunOptions, type RunSummary, type StepSummary } from './summary.js';

/** Most people one run may ask for from the API. */
export const MAX_USERS_PER_RUN = 2000;

export const StartRunRequest = z.strictObject({
  scenario: z.string().min(1).describe('id of a stored scenario'),
  users: z.number().int().min(1).max(MAX_USERS_PER_RUN).default(1),
  concurrency: z.number().int().min(1).max(MAX_USERS_PER_RUN).optional(),
  rampUp: z.number().min(0).max(3600).default(0).describe('seconds'),
  iterations: z.number().int().min(1).max(100).default(1),
  baseUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
  stepTimeout: z.number().positive().max(3600).optional().describe('seconds'),
  emailTimeout: z.number().positive().max(3600).optional().describe('seconds'),
  /** An open model: people arrive by these phases (users and iterations are then ignored); concurrency is the most at once. */
  phases: z.array(ArrivalPhase).min(1).max(100).optional(),
  /** Pause before each step: "none", "recorded" (each step's pauseMs), or seconds. */
  think: z.union([z.enum(['none', 'recorded']), z.number().min(0).max(600)]).optional(),
  thinkScale: z.number().min(0).max(100).optional(),
  /** Network cohorts: "none:60,4g:30,3g:10" or [{profile, share}]. */
  network: NetworkCohorts.optional(),
  /** false: measure no Web Vitals. */
  vitals: z.boolean().optional(),
});
export type StartRunRequest = z.infer<typeof StartRunRequest>;
/** What a client sends (network cohorts may be the text form). */
export type StartRunInput = z.input<typeof StartRunRequest>;

/**
 * Where a schedule's alerts go: a generic JSON webhook, or a Slack-compatible incoming webhook.
 * A URL that carries a secret is best given as "{{secret.NAME}}": the server reads NAME from its
 * environment, and its database, API and logs hold only the name.
 */
export const AlertTarget = z.strictObject({
  kind: z.enum(['webhook', 'slack']),
  url: z.union([z.url({ protocol: /^https?$/ }).max(2000), z.string().regex(/^\{\{secret\.[A-Za-z_][A-Za-z0-9_]*\}\}$/, 'expected an http(s) URL or {{secret.NAME}}')]),
});
export type AlertTarget = z.infer<typeof AlertTarget>;

/** A run started by the server on a cron schedule (5 fields, or 6 with seconds first). */
export const ScheduleRequest = z.strictObject({
  scenario: z.string().min(1).describe('id of a stored scenario'),
  cron: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).optional(),
  users: z.number().int().min(1).max(MAX_USERS_PER_RUN).default(1),
  concurrency: z.number().int().min(1).max(MAX_USERS_PER_RUN).optional(),
  rampUp: z.number().min(0).max(3600).optional().describe('seconds'),
  baseUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
  thresholds: z.array(z.string().min(1).max(300)).max(50).optional(),
  /** A step's p95 this much slower (and 250 ms) than the previous run's is a regression when two people or more are past it (default 0.2, as the CLI's). */
  regressionMargin: z.number().min(0).max(100).optional(),
  alerts: z.array(AlertTarget).max(10).optional(),
  enabled: z.boolean().default(true),
  // Launch-day load, as a run started by hand takes it.
  phases: StartRunRequest.shape.phases,
  think: StartRunRequest.shape.think,
  thinkScale: StartRunRequest.shape.thinkScale,
  network: StartRunRequest.shape.network,
  vitals: StartRunRequest.shape.vitals,
});
export type ScheduleRequest = z.infer<typeof ScheduleRequest>;
export type ScheduleInput = z.input<typeof ScheduleRequest>;
/** A change to a schedule: any of its fields. */
export const SchedulePatch = ScheduleRequest.partial();

/** A scheduled run's verdict: the thresholds, the comparison with the schedule's previous run, the farm. */
export interface ScheduleVerdict {
  ok: boolean;
  failedThresholds: string[];
  regressions: number;
  farmFailed: boolean;
}

/** What happened on a schedule: a run, a run skipped (the previous one still going), an alert. */
export type ScheduleEvent =
  | { kind: 'run'; at: string; runId: string; verdict: ScheduleVerdict }
  | { kind: 'skipped'; at: string; reason: string }
  | { kind: 'alert'; at: string; runId: string; event: 'breach' | 'recovery'; target: string; alertKind: AlertTarget['kind']; delivered: boolean; attempts: number; status: number | null; error: string | null };

export interface ScheduleInfo extends Omit<ScheduleRequest, 'alerts'> {
  id: string;
  createdAt: string;
  /** Where each alert goes, as shown: the origin of a URL, or the secret's name — never a full URL. */
  alerts: { kind: AlertTarget['kind']; to: string }[];
  nextRunAt: string | null;
  last: { runId: string; at: string; verdict: ScheduleVerdict } | null;
  skipped: number;
  events: ScheduleEvent[];
}

/** One step in one run, for trends across runs. */
export interface StepTrendPoint {
  runId: string;
  reached: number;
  passRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  failures: StepSummary['failures'];
}

/**
 * Which selector candidate found a step's element, run after run: the share of the people who
 * passed it that the first candidate served. A step whose first candidate stopped matching is
 * drifting — the recording is decaying before anything fails.
 */
export interface StepDrift {
  firstCandidate: string;
  /** Per run, oldest first: null where nobody passed the step. */
  firstShare: (number | null)[];
  drifting: boolean;
}

export interface ScenarioTrends {
  scenario: { id: string; title: string };
  /** Oldest first. */
  runs: { id: string; startedAt: string; status: RunStatus; passRate: number | null; schedule: string | null }[];
  steps: { index: number; title: string; points: StepTrendPoint[]; drift: StepDrift | null }[];
}

export const RUN_STATUSES = ['running', 'finished', 'stopped', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One line of the run history. */
export interface RunInfo {
  id: string;
  scenarioId: string | null;
  scenario: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  users: RunSummary['users'];
  /** People asked for (users × iterations). */
  planned: number;
  options: Partial<RunOptions>;
  /** Why a run failed to start or was cut short. */
  note: string | null;
}

/** What a live view needs, sent a few times a second per run whatever the crowd size. */
export interface RunSnapshot {
  run: RunInfo;
  steps: StepSummary[];
  /** People started and not yet finished. */
  running: number;
  /** People currently on each step (index → count): where a crowd is stuck right now. */
  atStep: Record<number, number>;
  /** An open model: people started in each second of the run so far. */
  arrivals?: { perSecond: number[] };
}

export interface ScenarioInfo {
  id: string;
  title: string;
  steps: number;
  createdAt: string;
}

export interface StepDelta {
  index: number;
  title: string;
  passRate: number | null;
  previousPassRate: number | null;
  p95Ms: number | null;
  previousP95Ms: number | null;
  /** Why this step counts as a regression against the previous run, or null. */
  regression: string | null;
}

export interface RunComparison {
  run: string;
  previous: string | null;
  steps: StepDelta[];
  /** Steps flagged as regressions. */
  regressions: number;
}

export interface InboxMessage {
  id: number;
  to: string[];
  from: string | null;
  subject: string;
  text: string;
  html: string | null;
  receivedAt: string;
}

export const ExternalRunRequest = z.strictObject({
  runId: z.string().regex(/^[\w-]{1,100}$/),
  scenario: z.unknown(),
  planned: z.number().int().nonnegative(),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const FinishRunRequest = z.strictObject({
  status: z.enum(['finished', 'stopped', 'failed']),
  options: z.record(z.string(), z.unknown()).default({}),
  warnings: z.array(z.string().max(2000)).max(100).optional(),
  workers: z.array(WorkerHealth).max(1000).optional(),
});

export type Ack<T> = (reply: { ok: true; value: T } | { ok: false; error: string }) => void;

export interface ServerToClientEvents {
  'run:started': (run: RunInfo) => void;
  'run:progressed': (snapshot: RunSnapshot) => void;
  'run:personFailed': (runId: string, person: PersonResult) => void;
  'run:finished': (run: RunInfo) => void;
}

export interface ClientToServerEvents {
  /** Join a run's room; the reply carries its current state at once. */
  'run:watch': (runId: string, ack: Ack<RunSnapshot>) => void;
  'run:unwatch': (runId: string) => void;
}

/** A run's summary as the API gives it: live while it runs (finishedAt null), stored after. */
export type LiveRunSummary = RunSummary & { status: RunStatus; running: number };

/** What each route answers: the server's handlers, the dashboard's calls and the tests share it. */
export interface ApiReplies {
  'GET /api/health': { ok: boolean; version: string; activeRuns: number; sink: { port: number; received: number }; auth: boolean; retention: { runs: number | null; days: number | null } };
  'GET /api/scenarios': ScenarioInfo[];
  'POST /api/scenarios': ScenarioInfo;
  'GET /api/runs': RunInfo[];
  'POST /api/runs': RunInfo;
  'GET /api/runs/:id': LiveRunSummary;
  'GET /api/runs/:id/compare': RunComparison;
  'GET /api/runs/:id/people/:user': PersonResult;
  'POST /api/runs/:id/stop': { stopping: string };
  'GET /api/runs/:id/inbox': InboxMessage[];
  'GET /api/inbox': InboxMessage[];
  'POST /api/session': null;
  'GET /api/schedules': ScheduleInfo[];
  'POST /api/schedules': ScheduleInfo;
  'GET /api/schedules/:id': ScheduleInfo;
  'PATCH /api/schedules/:id': ScheduleInfo;
  'GET /api/scenarios/:id/trends': ScenarioTrends;
}
