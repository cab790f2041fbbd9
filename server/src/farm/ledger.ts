// The coordinator's account of a farm run: every person counted exactly once — finished on a
// worker, failed as `infrastructure` when the farm could not run them, or skipped by a stop
// before they started — and the live view fed from the step events of each person's current
// attempt only. No Redis here: the coordinator hands it what arrives, already as data.
import { applyEvent, eventUser, FarmEvent, PersonJobDropped, PersonJobResult, personResult, type PersonResult, type RunPlan } from '../../../schema/index.js';
import { screenshotFile, type Artifacts } from '../engine/artifacts.js';
import type { RunHealth } from '../engine/health.js';
import type { ReplayHooks } from '../engine/replay.js';
import { parseMessage } from './redis.js';

interface Person {
  attempt: string | null;
  email: string;
  started: boolean;
}

/** A person the farm could not run: counted, never lost. */
export function farmFailure(user: number, email: string, message: string, worker: string | null = null): PersonResult {
  return personResult(user, email, new Date().toISOString(), worker, { status: 'failed', failedStep: 0, errorClass: 'infrastructure', error: message });
}

export class FarmLedger {
  /** Resolves once every person of the run is accounted for. */
  readonly done: Promise<void>;
  #plan: RunPlan;
  #hooks: ReplayHooks;
  #health: RunHealth;
  #artifacts: Artifacts;
  #people = new Map<number, Person>();
  #results = new Map<number, PersonResult>();
  /** People a stop removed from the queue before they started: not run, as in-process. */
  #skipped = new Set<number>();
  /** An open model's people who arrived while every worker was busy: not run, never failed. */
  #droppedPeople = new Set<number>();
  /** People whose worker went silent mid-flow (lost, or too busy to renew its lock): started again. */
  #restarted = new Set<number>();
  #dropped = { count: 0, first: '' };
  #settle: () => void = () => undefined;

  constructor(plan: RunPlan, hooks: ReplayHooks, health: RunHealth, artifacts: Artifacts) {
    this.#plan = plan;
    this.#hooks = hooks;
    this.#health = health;
    this.#artifacts = artifacts;
    this.done = new Promise<void>((resolve) => (this.#settle = resolve));
  }

  accounted(user: number): boolean {
    return this.#results.has(user) || this.#skipped.has(user) || this.#droppedPeople.has(user);
  }

  /** People dropped in an open model (every worker busy when they arrived). */
  get dropped(): number {
    return this.#droppedPeople.size;
  }

  started(user: number): boolean {
    return this.#people.get(user)?.started ?? false;
  }

  /** A step event from a worker; one that does not parse is dropped and counted. */
  event(message: string): void {
    let farm: FarmEvent;
    try {
      farm = parseMessage(FarmEvent, message, 'a step event');
    } catch (e) {
      this.#dropped.first ||= (e as Error).message;
      this.#dropped.count++;
      return;
    }
    const { attempt, event } = farm;
    const user = eventUser(event);
    // Results come with the job, not as events.
    if (this.accounted(user) || user > this.#plan.total || event.kind === 'personFinished') return;
    const p = this.#people.get(user) ?? { attempt: null, email: '', started: false };
    this.#people.set(user, p);
    if (event.kind === 'personStarted') {
      // A retried person starts over on another worker: the live view follows the new attempt.
      Object.assign(p, { attempt, email: event.email, started: true });
      applyEvent(event, this.#hooks);
    } else if (attempt === p.attempt) {
      applyEvent(event, this.#hooks);
    }
  }

  /** A worker's result; one that does not parse fails that person alone, as the farm's fault. */
  async completed(user: number, value: unknown): Promise<void> {
    if (this.accounted(user)) return;
    let job: PersonJobResult;
    try {
      if (typeof value === 'object' && value !== null && 'droppedLateMs' in value) {
        parseMessage(PersonJobDropped, value, `the result of person ${user}`);
        if (this.#plan.dropLateMs === undefined) throw new Error(`person ${user} was dropped, but run ${this.#plan.runId} is not an open model`);
        this.#droppedPeople.add(user);
        return this.#settleWhenAllIn();
      }
      job = parseMessage(PersonJobResult, value, `the result of person ${user}`);
      if (job.person.user !== user) throw new Error(`the result of person ${user} names person ${job.person.user}`);
    } catch (e) {
      return this.failed(user, (e as Error).message);
    }
    const { person, screenshotPng } = job;
    person.screenshot = screenshotPng
      ? await this.#artifacts.keepScreenshot(screenshotFile(this.#plan.runId, user, person.failedStep), Buffer.from(screenshotPng, 'base64'))
      : null;
    this.#account(user, person);
  }

  failed(user: number, reason: string): void {
    this.#account(user, farmFailure(user, this.#people.get(user)?.email ?? '', `the farm could not run this person: ${reason}`));
  }

  /** Fails everyone not yet accounted for (no worker, Redis lost, a stop's grace over). */
  giveUp(reason: string): void {
    for (let user = 1; user <= this.#plan.total; user++) this.failed(user, reason);
  }

  stalled(user: number): void {
    if (!this.accounted(user)) this.#restarted.add(user);
  }

  skipped(user: number): void {
    if (this.accounted(user)) return;
    this.#skipped.add(user);
    this.#settleWhenAllIn();
  }

  /** Counts a person once; later news of them (a retry's result, late events) is dropped. */
  #account(user: number, result: PersonResult): void {
    if (this.accounted(user) || user < 1 || user > this.#plan.total) return;
    if (!this.started(user)) this.#hooks.onPersonStarted?.(user, result.email);
    this.#results.set(user, result);
    this.#health.countPerson(result.worker);
    this.#hooks.onPersonFinished?.(result);
    this.#settleWhenAllIn();
  }

  #settleWhenAllIn(): void {
    if (this.#results.size + this.#skipped.size + this.#droppedPeople.size === this.#plan.total) this.#settle();
  }

  results(): PersonResult[] {
    return [...this.#results.values()].sort((a, b) => a.user - b.user);
  }

  /** What the run should say about the farm's own troubles. */
  warnings(): string[] {
    const out: string[] = [];
    const list = [...this.#restarted].sort((a, b) => a - b);
    if (list.length) {
      out.push(`${list.length} person(s) were started again, each as a new synthetic person, because their worker went silent mid-flow (a lost or saturated worker): ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`);
    }
    if (this.#dropped.count) out.push(`dropped ${this.#dropped.count} malformed step event(s) from the farm; the first: ${this.#dropped.first}`);
    return out;
  }
}
