// Runs started from the server: each one replayed by the engine, persisted as it happens, and
// published as throttled snapshots (a few per second per run, whatever the crowd size) plus one
// event per failed person. Knows nothing of HTTP or sockets: they listen to its events.
import { EventEmitter } from 'node:events';
import { applyEvent, MAX_USERS_PER_RUN, personResult, type IngestEvent, type LiveRunSummary, type PersonResult, type PersonStepResult, type RunComparison, type RunInfo, type RunSnapshot, type RunStatus, type Scenario, type ScenarioTrends, type StartRunRequest } from '../../../schema/index.js';
import { arrivalOffsets, perSecond, phasesDurationMs } from '../engine/arrivals.js';
import { ReplayInputError } from '../engine/errors.js';
import type { ReplayHooks } from '../engine/replay.js';
import type { RunOptionsAnywhere, runScenario } from '../farm/dispatch.js';
import { newRunId, requireSecrets } from '../engine/run-plan.js';
import type { MailSink } from '../mail/sink.js';
import { compareSummaries } from '../report/compare.js';
import { buildSummary, countPeople, summarizeSteps } from './aggregate.js';
import { scenarioTrends } from './trends.js';
import type { RunHealthRecord, RunStore } from './store.js';

/** How often a live run's snapshot is published while something changed. */
export const SNAPSHOT_INTERVAL_MS = 200;

export interface RunManagerEvents {
  started: [RunInfo];
  /** scenario title, step label (its name, else its index), the result: for /metrics. */
  stepFinished: [string, string, PersonStepResult];
  /** scenario title, outcome (passed, or the failure class), step labels, the person: for /metrics. */
  personFinished: [string, string, readonly string[], PersonResult];
  progressed: [RunSnapshot];
  personFailed: [string, PersonResult];
  finished: [RunInfo];
}

export interface RunManagerOptions {
  /** Replays a run, here or on the farm: handed in by the server's composition root. */
  run: typeof runScenario;
  store: RunStore;
  sink: MailSink;
  artifactsDir: string;
  /** Engine options every run gets (browser kind, allowed origins, mail domain…). */
  defaults?: Partial<RunOptionsAnywhere>;
  /** Most people one run may ask for (users × iterations). */
  maxUsers?: number;
}

interface InProgress {
  email: string;
  current: number;
  steps: PersonStepResult[];
}

interface LiveRun {
  info: RunInfo;
  scenario: Scenario;
  /** Warnings and worker health, known when the run ends. */
  health: RunHealthRecord;
  finished: PersonResult[];
  inProgress: Map<number, InProgress>;
  /** When each person started (ms since the epoch): an open model's live arrivals per second. */
  arrivals: number[];
  stop: AbortController;
  dirty: boolean;
  timer: NodeJS.Timeout;
  done: Promise<void>;
}

/** The engine's options for a run, still marked with the schedule that started it. */
const withSchedule = (options: RunInfo['options'], before: RunInfo['options']): RunInfo['options'] => (before.schedule ? { ...options, schedule: before.schedule } : options);

/** `done` of a run fed by `turnout replay --server`, which the server does not run itself. */
const EXTERNAL: Promise<void> = Promise.resolve();

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** A person still running, as the aggregation sees them: steps so far, no failure yet. */
function partial(user: number, p: InProgress): PersonResult {
  return personResult(user, p.email, p.steps[0]?.startedAt ?? '', null, { steps: p.steps });
}

export class RunManager extends EventEmitter<RunManagerEvents> {
  #live = new Map<string, LiveRun>();
  #options: RunManagerOptions;

  constructor(options: RunManagerOptions) {
    super();
    this.#options = options;
  }

  get activeRuns(): number {
    return [...this.#live.values()].filter((l) => l.info.status === 'running').length;
  }

  /** Starts a run as asked; `origin.schedule` marks a run a schedule started. */
  start(request: StartRunRequest, origin: { schedule?: string } = {}): RunInfo {
    const { store } = this.#options;
    const scenario = store.getScenario(request.scenario);
    if (!scenario) throw new NotFoundError(`no scenario with id ${JSON.stringify(request.scenario)}`);
    requireSecrets(scenario, this.#options.defaults?.env ?? process.env, "the server's environment");
    const planned = request.phases ? arrivalOffsets(request.phases).length : request.users * request.iterations;
    const maxUsers = this.#options.maxUsers ?? MAX_USERS_PER_RUN;
    const asked = request.phases ? 'the arrival phases bring' : 'users × iterations =';
    if (planned > maxUsers) throw new ReplayInputError(`${asked} ${planned}: this server allows at most ${maxUsers} people per run`);
    if (planned === 0) throw new ReplayInputError('the arrival phases bring nobody: give a phase an arrivalRate (or rampTo) above 0 for long enough');
    const live = this.#open(newRunId(), request.scenario, scenario, planned, {
      users: request.phases ? planned : request.users,
      iterations: request.phases ? 1 : request.iterations,
      baseUrl: request.baseUrl ?? null,
      ...(request.phases ? { phases: request.phases } : {}),
      ...(origin.schedule ? { schedule: origin.schedule } : {}),
    });
    live.done = this.#run(live, request);
    return live.info;
  }

  /**
   * A run replayed elsewhere (`turnout replay --server`): it shows live and stays in the history
   * like one started here, fed by the events the CLI streams.
   */
  startExternal(runId: string, scenario: Scenario, planned: number, options: RunInfo['options']): RunInfo {
    if (this.#live.has(runId) || this.#options.store.getRun(runId)) throw new ReplayInputError(`run ${runId} exists already`);
    return this.#open(runId, null, scenario, planned, options).info;
  }

  ingest(runId: string, events: readonly IngestEvent[]): void {
    const live = this.#live.get(runId);
    if (!live || live.done !== EXTERNAL) throw new NotFoundError(`no streamed run ${runId} in progress`);
    const hooks = this.#hooksFor(live);
    for (const event of events) applyEvent(event, hooks);
  }

  finishExternal(runId: string, status: RunStatus, options: RunInfo['options'], health: RunHealthRecord = {}): RunInfo {
    const live = this.#live.get(runId);
    if (!live || live.done !== EXTERNAL) throw new NotFoundError(`no streamed run ${runId} in progress`);
    live.info.options = options;
    live.health = health;
    this.#finish(live, status);
    return live.info;
  }

  #open(id: string, scenarioId: string | null, scenario: Scenario, planned: number, options: RunInfo['options']): LiveRun {
    const info: RunInfo = {
      id,
      scenarioId,
      scenario: scenario.title,
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      users: { total: 0, passed: 0, failed: 0, infrastructure: 0 },
      planned,
      options,
      note: null,
    };
    this.#options.store.createRun(info, scenario);
    const live: LiveRun = {
      info,
      scenario,
      health: {},
      finished: [],
      inProgress: new Map(),
      arrivals: [],
      stop: new AbortController(),
      dirty: true,
      timer: setInterval(() => this.#publish(live), SNAPSHOT_INTERVAL_MS),
      done: EXTERNAL,
    };
    this.#live.set(id, live);
    this.emit('started', info);
    return live;
  }

  /** Engine hooks → live state, the store and events; the same for local and streamed runs. */
  #hooksFor(live: LiveRun): ReplayHooks {
    const { store } = this.#options;
    const id = live.info.id;
    return {
      onStarted: ({ options }) => void (live.info.options = withSchedule(options, live.info.options)),
      onPersonStarted: (user, email) => {
        live.inProgress.set(user, { email, current: 0, steps: [] });
        live.arrivals.push(Date.now());
        live.dirty = true;
      },
      beforeEachStep: (user, step) => {
        const p = live.inProgress.get(user);
        if (p) p.current = step;
        live.dirty = true;
      },
      afterEachStep: (user, step) => {
        const p = live.inProgress.get(user);
        if (!p) return;
        p.steps.push(step);
        store.recordStep(id, user, p.email, step);
        this.emit('stepFinished', live.info.scenario, live.scenario.steps[step.index]?.name ?? String(step.index), step);
        live.dirty = true;
      },
      onPersonFinished: (person) => {
        live.inProgress.delete(person.user);
        live.finished.push(person);
        store.recordPerson(id, person);
        if (person.status === 'failed') this.emit('personFailed', id, person);
        this.emit('personFinished', live.info.scenario, person.errorClass ?? 'passed', live.scenario.steps.map((s, i) => s.name ?? String(i)), person);
        live.dirty = true;
      },
    };
  }

  async #run(live: LiveRun, request: StartRunRequest): Promise<void> {
    const { sink, artifactsDir, defaults } = this.#options;
    let status: RunStatus = 'finished';
    try {
      const summary = await this.#options.run(
        live.scenario,
        {
          ...defaults,
          runId: live.info.id,
          users: request.users,
          iterations: request.iterations,
          concurrency: request.concurrency,
          rampUpMs: request.rampUp * 1000,
          phases: request.phases,
          think: typeof request.think === 'number' ? Math.round(request.think * 1000) : request.think,
          thinkScale: request.thinkScale,
          network: request.network,
          vitals: request.vitals,
          baseUrl: request.baseUrl ?? null,
          stepTimeoutMs: request.stepTimeout ? request.stepTimeout * 1000 : defaults?.stepTimeoutMs,
          emailTimeoutMs: request.emailTimeout ? request.emailTimeout * 1000 : defaults?.emailTimeoutMs,
          sink,
          artifactsDir,
          signal: live.stop.signal,
        },
        this.#hooksFor(live),
      );
      live.info.options = withSchedule(summary.options, live.info.options);
      live.health = { warnings: summary.warnings, workers: summary.workers, arrivals: summary.arrivals };
      if (live.stop.signal.aborted) status = 'stopped';
    } catch (error) {
      status = 'failed';
      live.info.note = (error as Error).message;
    }
    this.#finish(live, status);
  }

  #finish(live: LiveRun, status: RunStatus): void {
    clearInterval(live.timer);
    live.info.status = status;
    live.info.finishedAt = new Date().toISOString();
    live.info.users = countPeople(live.finished);
    const lost = this.#options.store.lostFor(live.info.id);
    if (lost) live.health = { ...live.health, warnings: [...(live.health.warnings ?? []), lost] };
    this.#options.store.finishRun(live.info.id, status, live.info.options, live.info.note, live.health);
    live.dirty = true;
    this.#publish(live);
    // What the database could not keep stays in memory: the run's view and summary stay whole.
    if (!this.#options.store.lostFor(live.info.id)) this.#live.delete(live.info.id);
    this.emit('finished', live.info);
  }

  #snapshotOf(live: LiveRun): RunSnapshot {
    const people = [...live.finished, ...[...live.inProgress].map(([user, p]) => partial(user, p))];
    const atStep: Record<number, number> = {};
    for (const p of live.inProgress.values()) atStep[p.current] = (atStep[p.current] ?? 0) + 1;
    live.info.users = countPeople(live.finished);
    // Someone on a step has reached it, even before it has a result.
    const steps = summarizeSteps(live.scenario, people).map((s) => ({ ...s, reached: s.reached + (atStep[s.index] ?? 0) }));
    const snapshot: RunSnapshot = { run: { ...live.info }, steps, running: live.inProgress.size, atStep };
    // An open model: people started in each second so far, as the summary will count them.
    // Once the run has ended, the engine's own count (from its start, after the browsers were up).
    if (live.health.arrivals) snapshot.arrivals = { perSecond: live.health.arrivals.perSecond };
    else if (live.info.options.phases) {
      const start = Date.parse(live.info.startedAt);
      const seconds = Math.min(phasesDurationMs(live.info.options.phases), Date.now() - start) / 1000;
      snapshot.arrivals = { perSecond: perSecond(live.arrivals, start, seconds) };
    }
    return snapshot;
  }

  #publish(live: LiveRun): void {
    if (!live.dirty) return;
    live.dirty = false;
    this.emit('progressed', this.#snapshotOf(live));
  }

  stop(id: string): boolean {
    const live = this.#live.get(id);
    if (!live) return false;
    live.stop.abort();
    return true;
  }

  /** A run's current state: live while it runs, from the store after. */
  snapshot(id: string): RunSnapshot | null {
    const live = this.#live.get(id);
    if (live) return this.#snapshotOf(live);
    const summary = this.summary(id);
    const stored = this.#options.store.getRun(id);
    if (!summary || !stored) return null;
    return { run: { ...stored.info, users: summary.users }, steps: summary.steps, running: 0, atStep: {}, ...(summary.arrivals ? { arrivals: { perSecond: summary.arrivals.perSecond } } : {}) };
  }

  summary(id: string): LiveRunSummary | null {
    const live = this.#live.get(id);
    const stored = live ? null : this.#options.store.getRun(id);
    if (!live && !stored) return null;
    const info = live?.info ?? stored!.info;
    const results = live ? [...live.finished].sort((a, b) => a.user - b.user) : this.#options.store.people(id);
    const run = { runId: id, startedAt: info.startedAt, finishedAt: info.finishedAt, options: info.options };
    const summary = buildSummary(live?.scenario ?? stored!.scenario, run, results, live?.health ?? stored!.health);
    // Live, someone on a step has reached it before they have a result there.
    if (live) summary.steps = this.#snapshotOf(live).steps;
    return { ...summary, status: info.status, running: live?.inProgress.size ?? 0 };
  }

  list(): RunInfo[] {
    const infos = this.#options.store.listRunInfos();
    const counts = this.#options.store.countsByRun(infos.filter((i) => !this.#live.has(i.id)));
    return infos.map((info) => {
      const live = this.#live.get(info.id);
      if (live) return { ...live.info, users: countPeople(live.finished) };
      return { ...info, users: counts.get(info.id)! };
    });
  }

  person(id: string, user: number): PersonResult | null {
    const live = this.#live.get(id);
    if (live) {
      const p = live.inProgress.get(user);
      return live.finished.find((r) => r.user === user) ?? (p ? partial(user, p) : null);
    }
    return this.#options.store.people(id).find((r) => r.user === user) ?? null;
  }

  /** Per-step pass rate and p95 of a run next to the previous run of the same scenario. */
  compare(id: string): RunComparison | null {
    const current = this.summary(id);
    if (!current) return null;
    const previousRun = this.#options.store.previousRun(id);
    return compareSummaries(current, previousRun ? this.summary(previousRun.info.id) : null);
  }

  /** Trends of a stored scenario over its last `last` ended runs (oldest first), with selector drift. */
  trends(scenarioId: string, last: number): ScenarioTrends | null {
    const scenario = this.#options.store.getScenario(scenarioId);
    if (!scenario) return null;
    this.#options.store.flush();
    const runs = this.#options.store.endedRunsOf(scenarioId, last).reverse();
    return scenarioTrends(scenarioId, scenario, runs.map((r) => this.summary(r.info.id)).filter((s) => s !== null));
  }

  /** Stops every live run and waits until their browsers are closed. */
  async close(): Promise<void> {
    for (const live of this.#live.values()) live.stop.abort();
    await Promise.all([...this.#live.values()].map((l) => l.done));
  }
}
