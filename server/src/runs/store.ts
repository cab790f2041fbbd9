// SQLite persistence (better-sqlite3, WAL): scenarios, runs, and each person's step results as
// they happen, written in batches so that a crowd of browsers never waits on the disk. A run
// still marked running when the server starts was cut short: it becomes `interrupted`, with
// every finished step kept.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Retention } from './retention.js';
import { parseScenario, personResult, type PersonResult, type PersonStepResult, type RunInfo, type RunStatus, type RunSummary, type Scenario, type ScenarioInfo, type ScheduleEvent, type ScheduleRequest } from '../../../schema/index.js';

/** How often queued step results are written, in one transaction. */
const FLUSH_INTERVAL_MS = 200;
const BUSY_TIMEOUT_MS = 2000;
/** After a write fails, results are kept in memory only, for this long, before writing is tried again. */
const WRITE_RETRY_MS = 10_000;

/** Deletes the screenshots and traces of the given runs (their files start with the run id). */
function removeRunFiles(artifactsDir: string, runIds: ReadonlySet<string>): void {
  for (const folder of ['screenshots', 'traces']) {
    const dir = join(artifactsDir, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      const runId = /^(.+)-person-\d+/.exec(file)?.[1];
      if (runId && runIds.has(runId)) rmSync(join(dir, file), { force: true });
    }
  }
}

const SCHEMA = `
create table if not exists scenarios (
  id text primary key, title text not null, json text not null, created_at text not null);
create table if not exists runs (
  id text primary key, scenario_id text, scenario_title text not null, scenario_json text not null,
  status text not null, options text not null, planned integer not null, note text,
  started_at text not null, finished_at text, health text);
create table if not exists people (
  run_id text not null, user integer not null, json text not null, primary key (run_id, user));
create table if not exists person_steps (
  run_id text not null, user integer not null, email text not null, step integer not null,
  status text not null, started_at text not null, duration_ms integer not null, matched_selector text,
  primary key (run_id, user, step));
create index if not exists runs_by_scenario on runs (scenario_id, started_at);
create table if not exists schedules (
  id text primary key, json text not null, created_at text not null);
create table if not exists schedule_events (
  schedule_id text not null, at text not null, json text not null);
create index if not exists schedule_events_by_schedule on schedule_events (schedule_id, at);
`;

/** A schedule's events kept (runs, skips, alerts): the newest this many. */
const SCHEDULE_EVENTS_KEPT = 500;

interface RunRow {
  id: string;
  scenario_id: string | null;
  scenario_title: string;
  scenario_json: string;
  status: RunStatus;
  options: string;
  planned: number;
  note: string | null;
  started_at: string;
  finished_at: string | null;
  health: string | null;
}

/** What a run learnt about itself beyond its people: the warnings and each worker's health. */
export type RunHealthRecord = Pick<RunSummary, 'warnings' | 'workers' | 'arrivals'>;

export interface StoredRun {
  info: Omit<RunInfo, 'users'>;
  scenario: Scenario;
  health: RunHealthRecord;
}

type Pending = { kind: 'step'; runId: string; user: number; email: string; step: PersonStepResult } | { kind: 'person'; runId: string; person: PersonResult };

export class RunStore {
  readonly dataDir: string;
  #db: Database.Database;
  #queue: Pending[] = [];
  /** Writes that failed, per run: how many results, and the database's words. */
  #lost = new Map<string, { count: number; reason: string }>();
  #refusingUntil = 0;
  #refusal = new Error('the database refused writes');
  #timer: NodeJS.Timeout | null = null;
  /** People counts of ended runs recently listed (they never change). */
  #endedCounts = new Map<string, RunInfo['users']>();

  readonly #writeRetryMs: number;

  constructor(dataDir: string, options: { writeRetryMs?: number } = {}) {
    mkdirSync(dataDir, { recursive: true });
    this.dataDir = dataDir;
    this.#writeRetryMs = options.writeRetryMs ?? WRITE_RETRY_MS;
    // A locked database is waited for briefly: the server's event loop waits with it.
    this.#db = new Database(join(dataDir, 'turnout.db'), { timeout: BUSY_TIMEOUT_MS });
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    // Databases made before runs kept their health get the column.
    const columns = this.#db.prepare('pragma table_info(runs)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'health')) this.#db.exec('alter table runs add column health text');
  }

  /** Marks runs that were running when the previous server died; returns how many. */
  markInterrupted(): number {
    return this.#db
      .prepare(`update runs set status = 'interrupted', finished_at = ?, note = 'the server stopped while this run was going' where status = 'running'`)
      .run(new Date().toISOString()).changes;
  }

  saveScenario(id: string, scenario: Scenario): ScenarioInfo {
    const createdAt = new Date().toISOString();
    this.#db
      .prepare('insert into scenarios (id, title, json, created_at) values (?, ?, ?, ?) on conflict(id) do update set title = excluded.title, json = excluded.json')
      .run(id, scenario.title, JSON.stringify(scenario), createdAt);
    return { id, title: scenario.title, steps: scenario.steps.length, createdAt };
  }

  listScenarios(): ScenarioInfo[] {
    const rows = this.#db.prepare('select id, title, json, created_at from scenarios order by created_at desc').all() as { id: string; title: string; json: string; created_at: string }[];
    return rows.map((r) => ({ id: r.id, title: r.title, steps: (JSON.parse(r.json) as Scenario).steps.length, createdAt: r.created_at }));
  }

  getScenario(id: string): Scenario | null {
    const row = this.#db.prepare('select json from scenarios where id = ?').get(id) as { json: string } | undefined;
    return row ? parseScenario(JSON.parse(row.json)) : null;
  }

  deleteScenario(id: string): boolean {
    return this.#db.prepare('delete from scenarios where id = ?').run(id).changes > 0;
  }

  createRun(info: Omit<RunInfo, 'users'>, scenario: Scenario): void {
    this.#db
      .prepare(
        `insert into runs (id, scenario_id, scenario_title, scenario_json, status, options, planned, note, started_at, finished_at)
         values (@id, @scenarioId, @scenario, @json, @status, @options, @planned, @note, @startedAt, @finishedAt)`,
      )
      .run({ ...info, json: JSON.stringify(scenario), options: JSON.stringify(info.options) });
  }

  finishRun(id: string, status: RunStatus, options: RunInfo['options'], note: string | null = null, health: RunHealthRecord = {}): void {
    this.flush();
    const lost = this.lostFor(id);
    const kept = lost && !health.warnings?.includes(lost) ? { ...health, warnings: [...(health.warnings ?? []), lost] } : health;
    try {
      this.#db
        .prepare('update runs set status = ?, finished_at = ?, options = ?, note = coalesce(?, note), health = ? where id = ?')
        .run(status, new Date().toISOString(), JSON.stringify(options), note, JSON.stringify(kept), id);
    } catch (e) {
      this.#lose(id, 1, e as Error);
    }
  }

  /** What of a run could not be written (a full disk, a locked database), or null when all was. */
  lostFor(runId: string): string | null {
    const lost = this.#lost.get(runId);
    return lost ? `${lost.count} result(s) of this run were not stored (${lost.reason}): the summary was built from memory` : null;
  }

  #lose(runId: string, count: number, error: Error): void {
    const lost = this.#lost.get(runId) ?? { count: 0, reason: '' };
    lost.count += count;
    lost.reason = error.message.split('\n')[0]!.slice(0, 200);
    if (!this.#lost.has(runId)) console.error(`turnout: could not write run ${runId} to ${this.dataDir}: ${lost.reason}; the run goes on in memory`);
    this.#lost.set(runId, lost);
  }

  #info(row: Omit<RunRow, 'scenario_json' | 'health'>): StoredRun['info'] {
    return {
      id: row.id,
      scenarioId: row.scenario_id,
      scenario: row.scenario_title,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      planned: row.planned,
      options: JSON.parse(row.options) as RunInfo['options'],
      note: row.note,
    };
  }

  #toStored(row: RunRow): StoredRun {
    return {
      info: this.#info(row),
      scenario: parseScenario(JSON.parse(row.scenario_json)),
      health: row.health ? (JSON.parse(row.health) as RunHealthRecord) : {},
    };
  }

  getRun(id: string): StoredRun | null {
    const row = this.#db.prepare('select * from runs where id = ?').get(id) as RunRow | undefined;
    return row ? this.#toStored(row) : null;
  }

  /**
   * The newest runs, as the history lists them: no scenario is read or parsed, so the list costs
   * the same after a year of nights as after one.
   */
  listRunInfos(limit = 200): StoredRun['info'][] {
    const rows = this.#db.prepare('select id, scenario_id, scenario_title, status, options, planned, note, started_at, finished_at from runs order by started_at desc limit ?').all(limit);
    return (rows as Omit<RunRow, 'scenario_json' | 'health'>[]).map((r) => this.#info(r));
  }

  /** A stored scenario's runs that have ended, newest first. */
  endedRunsOf(scenarioId: string, limit: number): StoredRun[] {
    return (this.#db.prepare(`select * from runs where scenario_id = ? and status != 'running' order by started_at desc limit ?`).all(scenarioId, limit) as RunRow[]).map((r) => this.#toStored(r));
  }

  /** The newest run of a scenario (by title) that ran to its end. */
  lastRunOf(scenarioTitle: string): StoredRun | null {
    const row = this.#db
      .prepare(`select * from runs where scenario_title = ? and status in ('finished', 'stopped') order by started_at desc limit 1`)
      .get(scenarioTitle) as RunRow | undefined;
    return row ? this.#toStored(row) : null;
  }

  /** Keeps a whole finished run (a CLI run), so that the next one can compare with it. */
  saveSummary(summary: RunSummary, scenario: Scenario, status: RunStatus): void {
    this.createRun(
      { id: summary.runId, scenarioId: null, scenario: summary.scenario, status: 'running', startedAt: summary.startedAt, finishedAt: null, planned: summary.users.total, options: summary.options, note: null },
      scenario,
    );
    for (const person of summary.results) this.recordPerson(summary.runId, person);
    this.finishRun(summary.runId, status, summary.options, null, { warnings: summary.warnings, workers: summary.workers, arrivals: summary.arrivals });
  }

  /**
   * Removes the finished runs that fall outside what is kept — beyond the newest `keep.runs`, or
   * started more than `keep.days` ago — with their people, steps, screenshots and traces. A run
   * still going is never removed (nor counted). Returns the ids removed; `forget` is told the
   * addresses of their people, for what is kept of them outside the database (the sink's mail).
   */
  prune(keep: Retention, artifactsDir: string | null, forget?: (addresses: string[]) => void): string[] {
    const rows = this.#db.prepare(`select id, started_at from runs where status != 'running' order by started_at desc`).all() as { id: string; started_at: string }[];
    const cutoff = keep.days ? Date.now() - keep.days * 86_400_000 : -Infinity;
    const gone = rows.filter((r, i) => (keep.runs ? i >= keep.runs : false) || Date.parse(r.started_at) < cutoff).map((r) => r.id);
    if (gone.length === 0) return [];
    // Read before the rows go; told only once they are gone (a refused delete keeps the run, and its mail).
    const peopleOf = this.#db.prepare(`select email from person_steps where run_id = ? union select json_extract(json, '$.email') from people where run_id = ?`).pluck();
    const addresses = forget ? gone.flatMap((id) => peopleOf.all(id, id) as string[]) : [];
    const remove = this.#db.transaction((ids: string[]) => {
      for (const id of ids) for (const table of ['person_steps', 'people', 'runs']) this.#db.prepare(`delete from ${table} where ${table === 'runs' ? 'id' : 'run_id'} = ?`).run(id);
    });
    remove(gone);
    forget?.(addresses);
    if (artifactsDir) removeRunFiles(artifactsDir, new Set(gone));
    return gone;
  }

  /** The run of the same scenario that started just before this one. */
  previousRun(id: string): StoredRun | null {
    const row = this.#db
      .prepare(
        `select p.* from runs r join runs p on p.scenario_title = r.scenario_title and p.started_at < r.started_at
         where r.id = ? and p.status in ('finished', 'stopped', 'interrupted') order by p.started_at desc limit 1`,
      )
      .get(id) as RunRow | undefined;
    return row ? this.#toStored(row) : null;
  }

  recordStep(runId: string, user: number, email: string, step: PersonStepResult): void {
    this.#enqueue({ kind: 'step', runId, user, email, step });
  }

  recordPerson(runId: string, person: PersonResult): void {
    this.#enqueue({ kind: 'person', runId, person });
  }

  #enqueue(item: Pending): void {
    this.#queue.push(item);
    this.#timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Writes everything queued, in one transaction. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    if (Date.now() < this.#refusingUntil) return this.#loseBatch(batch, this.#refusal);
    const step = this.#db.prepare(
      `insert or replace into person_steps (run_id, user, email, step, status, started_at, duration_ms, matched_selector) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const person = this.#db.prepare('insert or replace into people (run_id, user, json) values (?, ?, ?)');
    try {
      this.#db.transaction(() => {
        for (const item of batch) {
          if (item.kind === 'step') {
            const s = item.step;
            step.run(item.runId, item.user, item.email, s.index, s.status, s.startedAt, Math.round(s.durationMs), s.matchedSelector);
          } else {
            person.run(item.runId, item.person.user, JSON.stringify(item.person));
          }
        }
      })();
    } catch (e) {
      // A disk that refuses writes must not end the run: it goes on in memory, and says so.
      this.#refusingUntil = Date.now() + this.#writeRetryMs;
      this.#refusal = e as Error;
      this.#loseBatch(batch, this.#refusal);
    }
  }

  #loseBatch(batch: readonly Pending[], error: Error): void {
    const byRun = new Map<string, number>();
    for (const item of batch) byRun.set(item.runId, (byRun.get(item.runId) ?? 0) + 1);
    for (const [runId, count] of byRun) this.#lose(runId, count, error);
  }

  /**
   * People counts of every run in one query, for the history list: finished people by outcome,
   * plus people cut off by a dead server (steps but no result), who count as infrastructure.
   */
  /**
   * People counts of these runs. Those of a run that has ended never change: they are kept, for
   * the runs listed, and only the others are counted from the people (and the steps of people
   * a dead server cut off).
   */
  countsByRun(runs: readonly { id: string; status: RunStatus }[]): Map<string, RunInfo['users']> {
    const counts = new Map<string, RunInfo['users']>();
    const todo = runs.filter((r) => r.status === 'running' || !this.#endedCounts.has(r.id)).map((r) => r.id);
    if (todo.length) for (const [id, c] of this.#count(todo)) counts.set(id, c);
    const none = { total: 0, passed: 0, failed: 0, infrastructure: 0 };
    const kept = new Map<string, RunInfo['users']>();
    for (const r of runs) {
      const c = counts.get(r.id) ?? this.#endedCounts.get(r.id) ?? none;
      counts.set(r.id, c);
      if (r.status !== 'running') kept.set(r.id, c);
    }
    this.#endedCounts = kept;
    return counts;
  }

  #count(ids: readonly string[]): Map<string, RunInfo['users']> {
    this.flush();
    const list = JSON.stringify(ids);
    const rows = this.#db
      .prepare(
        `select run_id as runId,
                count(*) as total,
                sum(json_extract(json, '$.status') = 'passed') as passed,
                sum(json_extract(json, '$.errorClass') = 'infrastructure') as infrastructure
         from people where run_id in (select value from json_each(?)) group by run_id`,
      )
      .all(list) as { runId: string; total: number; passed: number; infrastructure: number }[];
    const cut = this.#db
      .prepare(`select s.run_id as runId, count(distinct s.user) as n from person_steps s
                left join people p on p.run_id = s.run_id and p.user = s.user
                where s.run_id in (select value from json_each(?)) and p.user is null group by s.run_id`)
      .all(list) as { runId: string; n: number }[];
    const counts = new Map<string, RunInfo['users']>();
    for (const r of rows) counts.set(r.runId, { total: r.total, passed: r.passed, failed: r.total - r.passed, infrastructure: r.infrastructure });
    for (const c of cut) {
      const u = counts.get(c.runId) ?? { total: 0, passed: 0, failed: 0, infrastructure: 0 };
      counts.set(c.runId, { total: u.total + c.n, passed: u.passed, failed: u.failed + c.n, infrastructure: u.infrastructure + c.n });
    }
    return counts;
  }

  /**
   * Everyone of a run: finished people as they ended, and people cut off by a dead server
   * rebuilt from their finished steps (an `infrastructure` failure: the farm stopped, not the site).
   */
  people(runId: string): PersonResult[] {
    this.flush();
    const finished = (this.#db.prepare('select json from people where run_id = ? order by user').all(runId) as { json: string }[]).map(
      (r) => JSON.parse(r.json) as PersonResult,
    );
    const done = new Set(finished.map((p) => p.user));
    const rows = this.#db
      .prepare('select * from person_steps where run_id = ? order by user, step')
      .all(runId) as { user: number; email: string; step: number; status: 'passed' | 'failed'; started_at: string; duration_ms: number; matched_selector: string | null }[];
    const cut = new Map<number, PersonResult>();
    for (const r of rows) {
      if (done.has(r.user)) continue;
      let p = cut.get(r.user);
      if (!p) {
        p = personResult(r.user, r.email, r.started_at, null, { status: 'failed', errorClass: 'infrastructure', error: 'the run was cut off before this person finished' });
        cut.set(r.user, p);
      }
      p.steps.push({ index: r.step, status: r.status, startedAt: r.started_at, durationMs: r.duration_ms, matchedSelector: r.matched_selector });
      p.failedStep = r.step + 1;
    }
    return [...finished, ...cut.values()].sort((a, b) => a.user - b.user);
  }

  saveSchedule(id: string, schedule: ScheduleRequest, createdAt: string): void {
    this.#db
      .prepare('insert into schedules (id, json, created_at) values (?, ?, ?) on conflict(id) do update set json = excluded.json')
      .run(id, JSON.stringify(schedule), createdAt);
  }

  listSchedules(): { id: string; schedule: ScheduleRequest; createdAt: string }[] {
    const rows = this.#db.prepare('select id, json, created_at from schedules order by created_at').all() as { id: string; json: string; created_at: string }[];
    return rows.map((r) => ({ id: r.id, schedule: JSON.parse(r.json) as ScheduleRequest, createdAt: r.created_at }));
  }

  deleteSchedule(id: string): boolean {
    this.#db.prepare('delete from schedule_events where schedule_id = ?').run(id);
    return this.#db.prepare('delete from schedules where id = ?').run(id).changes > 0;
  }

  /** Records what happened on a schedule; the oldest events beyond a bound are let go. */
  addScheduleEvent(id: string, event: ScheduleEvent): void {
    this.#db.prepare('insert into schedule_events (schedule_id, at, json) values (?, ?, ?)').run(id, event.at, JSON.stringify(event));
    this.#db
      .prepare('delete from schedule_events where schedule_id = ? and rowid not in (select rowid from schedule_events where schedule_id = ? order by rowid desc limit ?)')
      .run(id, id, SCHEDULE_EVENTS_KEPT);
  }

  /** A schedule's events, newest first. */
  scheduleEvents(id: string, limit = SCHEDULE_EVENTS_KEPT): ScheduleEvent[] {
    const rows = this.#db.prepare('select json from schedule_events where schedule_id = ? order by rowid desc limit ?').all(id, limit) as { json: string }[];
    return rows.map((r) => JSON.parse(r.json) as ScheduleEvent);
  }

  close(): void {
    this.flush();
    this.#db.close();
  }
}
