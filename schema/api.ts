// Bodies of the HTTP API and the events of its socket.io channel: one contract for server and
// dashboard (and, later, the extension's "send to server").
import { z } from 'zod';
import { FAILURE_CLASSES, type PersonResult, type RunOptions, type RunSummary, type StepSummary } from './summary.js';

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
});
export type StartRunRequest = z.infer<typeof StartRunRequest>;

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

const StepResult = z.strictObject({
  index: z.number().int().nonnegative(),
  status: z.enum(['passed', 'failed']),
  startedAt: z.string().max(40),
  durationMs: z.number().nonnegative(),
  matchedSelector: z.string().max(2000).nullable(),
});

/** What `turnout replay --server` streams: the engine's hooks, as data. */
export const IngestEvent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('personStarted'), user: z.number().int().positive(), email: z.string().max(320) }),
  z.strictObject({ kind: z.literal('stepStarted'), user: z.number().int().positive(), step: z.number().int().nonnegative() }),
  z.strictObject({
    kind: z.literal('stepFinished'),
    user: z.number().int().positive(),
    result: StepResult,
  }),
  z.strictObject({
    kind: z.literal('personFinished'),
    person: z.strictObject({
      user: z.number().int().positive(),
      email: z.string().max(320),
      status: z.enum(['passed', 'failed']),
      failedStep: z.number().int().nonnegative().nullable(),
      errorClass: z.enum(FAILURE_CLASSES).nullable(),
      error: z.string().max(4000).nullable(),
      url: z.string().max(4000).nullable(),
      httpStatus: z.number().int().nullable(),
      // Paths on the machine that ran the person: the server cannot show those files.
      screenshot: z.string().max(500).nullable().transform(() => null),
      trace: z.string().max(500).nullable().transform(() => null),
      pageSays: z.string().max(1000).nullable().default(null),
      httpProblems: z.array(z.string().max(500)).max(50),
      blocked: z.record(z.string().max(300), z.number().int().nonnegative()).default({}),
      startedAt: z.string().max(40),
      durationMs: z.number().nonnegative(),
      steps: z.array(StepResult).max(1000),
      worker: z.string().max(200).nullable().default(null),
    }),
  }),
]);
export type IngestEvent = z.infer<typeof IngestEvent>;
/** An event as sent (screenshot and trace paths are dropped on arrival). */
export type IngestEventInput = z.input<typeof IngestEvent>;

export const IngestBatch = z.array(IngestEvent).max(5000);

export const ExternalRunRequest = z.strictObject({
  runId: z.string().regex(/^[\w-]{1,100}$/),
  scenario: z.unknown(),
  planned: z.number().int().nonnegative(),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const FinishRunRequest = z.strictObject({
  status: z.enum(['finished', 'stopped', 'failed']),
  options: z.record(z.string(), z.unknown()).default({}),
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
