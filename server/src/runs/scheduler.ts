// Schedules in `turnout serve`: each one starts an ordinary run of a stored scenario on a cron
// pattern (croner; 5 fields, or 6 with seconds first; an IANA time zone), marked with the
// schedule. A run still going when the next is due makes that one skipped, and recorded. When a
// scheduled run ends, its verdict (thresholds, regressions against the previous run, the farm
// itself) is kept, and alerts go out when it breaks and once when it recovers. Schedules live in
// the database and come back after a restart; runs missed while the server was down are not
// replayed.
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import { ScheduleRequest, type RunInfo, type ScheduleEvent, type ScheduleInfo, type ScheduleVerdict } from '../../../schema/index.js';
import { ReplayInputError } from '../engine/errors.js';
import { compareSummaries, DEFAULT_MARGINS } from '../report/compare.js';
import { checkThresholdSteps, evaluateThresholds, parseThreshold } from '../report/thresholds.js';
import { alertBody, alertTargetLabel, deliver, type AlertEvent, type DeliveryOptions } from './alerts.js';
import { NotFoundError, type RunManager } from './manager.js';
import type { RunStore } from './store.js';

export interface SchedulerOptions {
  manager: RunManager;
  store: RunStore;
  /** The dashboard's address, for the run link in alerts (known once the server listens). */
  publicUrl: () => string;
  /** Alert delivery: the environment {{secret.NAME}} URLs are read from, retries and timeout. */
  delivery: DeliveryOptions;
}

interface Scheduled {
  id: string;
  schedule: ScheduleRequest;
  createdAt: string;
  cron: Cron | null;
  /** The schedule's run still going, if any. */
  running: string | null;
}

export class Scheduler {
  #options: SchedulerOptions;
  #schedules = new Map<string, Scheduled>();
  /** Alerts being delivered: waited for on close. */
  #pending = new Set<Promise<void>>();
  #onFinished = (info: RunInfo): void => {
    const id = info.options.schedule;
    const s = id ? this.#schedules.get(id) : undefined;
    if (!s || s.running !== info.id) return;
    s.running = null;
    const work = this.#judge(s, info).finally(() => this.#pending.delete(work));
    this.#pending.add(work);
  };

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Loads the stored schedules and arms the enabled ones. */
  start(): void {
    for (const { id, schedule, createdAt } of this.#options.store.listSchedules()) {
      const s: Scheduled = { id, schedule, createdAt, cron: null, running: null };
      this.#schedules.set(id, s);
      this.#arm(s);
    }
    this.#options.manager.on('finished', this.#onFinished);
  }

  async close(): Promise<void> {
    this.#options.manager.off('finished', this.#onFinished);
    for (const s of this.#schedules.values()) s.cron?.stop();
    await Promise.allSettled([...this.#pending]);
  }

  /** Checks a schedule as a whole: the cron pattern and time zone, the scenario, the thresholds. */
  #check(schedule: ScheduleRequest): void {
    try {
      // The time zone is only used (and checked) when the next run is worked out.
      const probe = new Cron(schedule.cron, { paused: true, timezone: schedule.timezone });
      probe.nextRun();
      probe.stop();
    } catch (e) {
      const message = (e as Error).message;
      const field = /timezone/i.test(message) ? 'timezone' : 'cron';
      throw new ReplayInputError(`${field}: ${message.replace(/^Cron\w*: /, '').split('. Original error')[0]}`);
    }
    const scenario = this.#options.store.getScenario(schedule.scenario);
    if (!scenario) throw new NotFoundError(`no scenario with id ${JSON.stringify(schedule.scenario)}`);
    for (const [i, text] of (schedule.thresholds ?? []).entries()) {
      try {
        checkThresholdSteps([parseThreshold(text)], scenario.steps);
      } catch (e) {
        throw new ReplayInputError(`thresholds[${i}]: ${(e as Error).message}`);
      }
    }
  }

  create(request: ScheduleRequest): ScheduleInfo {
    this.#check(request);
    const s: Scheduled = { id: `s-${randomBytes(4).toString('hex')}`, schedule: request, createdAt: new Date().toISOString(), cron: null, running: null };
    this.#options.store.saveSchedule(s.id, s.schedule, s.createdAt);
    this.#schedules.set(s.id, s);
    this.#arm(s);
    return this.info(s.id)!;
  }

  update(id: string, patch: Partial<ScheduleRequest>): ScheduleInfo {
    const s = this.#schedules.get(id);
    if (!s) throw new NotFoundError(`no schedule ${id}`);
    const next = ScheduleRequest.parse({ ...s.schedule, ...patch });
    this.#check(next);
    s.schedule = next;
    this.#options.store.saveSchedule(id, next, s.createdAt);
    this.#arm(s);
    return this.info(id)!;
  }

  delete(id: string): boolean {
    const s = this.#schedules.get(id);
    s?.cron?.stop();
    this.#schedules.delete(id);
    return this.#options.store.deleteSchedule(id);
  }

  list(): ScheduleInfo[] {
    return [...this.#schedules.keys()].map((id) => this.info(id)!);
  }

  info(id: string): ScheduleInfo | null {
    const s = this.#schedules.get(id);
    if (!s) return null;
    const events = this.#options.store.scheduleEvents(id, 100);
    const last = events.find((e) => e.kind === 'run');
    const { alerts, ...rest } = s.schedule;
    return {
      ...rest,
      id,
      createdAt: s.createdAt,
      alerts: (alerts ?? []).map((a) => ({ kind: a.kind, to: alertTargetLabel(a) })),
      nextRunAt: s.cron?.nextRun()?.toISOString() ?? null,
      last: last?.kind === 'run' ? { runId: last.runId, at: last.at, verdict: last.verdict } : null,
      skipped: events.filter((e) => e.kind === 'skipped').length,
      events,
    };
  }

  #arm(s: Scheduled): void {
    s.cron?.stop();
    s.cron = s.schedule.enabled ? new Cron(s.schedule.cron, { timezone: s.schedule.timezone, catch: true }, () => this.#fire(s)) : null;
  }

  #event(id: string, event: ScheduleEvent): void {
    this.#options.store.addScheduleEvent(id, event);
  }

  #fire(s: Scheduled): void {
    const at = new Date().toISOString();
    if (s.running) {
      this.#event(s.id, { kind: 'skipped', at, reason: `run ${s.running} was still going` });
      return;
    }
    const { schedule } = s;
    try {
      const info = this.#options.manager.start(
        {
          scenario: schedule.scenario,
          users: schedule.users,
          concurrency: schedule.concurrency,
          rampUp: schedule.rampUp ?? 0,
          iterations: 1,
          baseUrl: schedule.baseUrl ?? null,
          phases: schedule.phases,
          think: schedule.think,
          thinkScale: schedule.thinkScale,
          network: schedule.network,
          vitals: schedule.vitals,
        },
        { schedule: s.id },
      );
      s.running = info.id;
    } catch (e) {
      // A scenario deleted since, a secret missing on the server: recorded, and tried again when next due.
      this.#event(s.id, { kind: 'skipped', at, reason: `the run could not start: ${(e as Error).message}` });
    }
  }

  /** The run's verdict, kept; an alert when it breaks after a good run (or first), and when it recovers. */
  async #judge(s: Scheduled, info: RunInfo): Promise<void> {
    const { manager, store } = this.#options;
    store.flush();
    const summary = manager.summary(info.id);
    if (!summary) return;
    const previous = store.previousRun(info.id);
    const margins = s.schedule.regressionMargin === undefined ? DEFAULT_MARGINS : { ...DEFAULT_MARGINS, p95: s.schedule.regressionMargin };
    const regressions = previous ? compareSummaries(summary, manager.summary(previous.info.id), margins).regressions : 0;
    const thresholds = (s.schedule.thresholds ?? []).map((t) => parseThreshold(t));
    const results = evaluateThresholds(thresholds, summary, regressions);
    const farmFailed = info.status === 'failed' || (summary.users.total > 0 && summary.users.infrastructure === summary.users.total);
    const failedThresholds = [...new Set(results.filter((r) => !r.ok).map((r) => `${r.threshold} — ${r.detail}`))];
    const verdict: ScheduleVerdict = { ok: failedThresholds.length === 0 && regressions === 0 && !farmFailed, failedThresholds, regressions, farmFailed };
    const before = store.scheduleEvents(s.id, 50).find((e) => e.kind === 'run');
    this.#event(s.id, { kind: 'run', at: new Date().toISOString(), runId: info.id, verdict });
    const wasOk = before?.kind === 'run' ? before.verdict.ok : true;
    const event: AlertEvent | null = !verdict.ok && wasOk ? 'breach' : verdict.ok && !wasOk ? 'recovery' : null;
    if (!event) return;
    const body = alertBody(event, s.id, summary, verdict, `${this.#options.publicUrl()}/#/runs/${info.id}`);
    // At most one alert per run and destination: each is delivered once, with its own retries.
    await Promise.all(
      (s.schedule.alerts ?? []).map(async (target) => {
        const d = await deliver(target, body, this.#options.delivery);
        this.#event(s.id, { kind: 'alert', at: new Date().toISOString(), runId: info.id, event, target: alertTargetLabel(target), alertKind: target.kind, ...d });
      }),
    );
  }
}
