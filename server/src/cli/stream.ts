// `turnout replay --server URL`: the run goes on here, and its events stream to a Turnout server
// in small batches, so the dashboard shows a nightly run live and keeps it in its history.
import { hooksToEvents, type IngestEventInput, type RunStatus, type RunSummary, type Scenario } from '../../../schema/index.js';
import type { ReplayHooks } from '../engine/replay.js';
import { UsageError } from './load.js';

const FLUSH_INTERVAL_MS = 250;

export class RunStreamer {
  #base: string;
  #headers: Record<string, string>;
  #runId: string;
  #queue: IngestEventInput[] = [];
  #timer: NodeJS.Timeout | null = null;
  #sending: Promise<void> = Promise.resolve();
  /** The first failure to reach the server; the run itself goes on regardless. */
  error: string | null = null;

  constructor(serverUrl: string, token: string | undefined, runId: string) {
    try {
      this.#base = new URL(serverUrl).origin;
    } catch {
      throw new UsageError(`--server ${serverUrl}: not an absolute URL`);
    }
    this.#headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    this.#runId = runId;
  }

  async #post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.#base}${path}`, { method: 'POST', headers: this.#headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${(await response.text()).slice(0, 300)}`);
  }

  /** Announces the run; a server that cannot be reached is a usage error before anything runs. */
  async open(scenario: Scenario, planned: number, options: Record<string, unknown>): Promise<void> {
    await this.#post('/api/runs/external', { runId: this.#runId, scenario, planned, options }).catch((e: Error) => {
      throw new UsageError(`--server ${this.#base}: ${e.message}`);
    });
    this.#timer = setInterval(() => void this.#flush(), FLUSH_INTERVAL_MS);
  }

  #push(event: IngestEventInput): void {
    this.#queue.push(event);
  }

  #flush(): Promise<void> {
    const batch = this.#queue.splice(0);
    if (batch.length === 0 || this.error) return this.#sending;
    this.#sending = this.#sending.then(() => this.#post(`/api/runs/${this.#runId}/events`, batch)).catch((e: Error) => void (this.error ??= e.message));
    return this.#sending;
  }

  hooks(): ReplayHooks {
    return hooksToEvents((event) => this.#push(event));
  }

  async close(summary: RunSummary, status: Exclude<RunStatus, 'running' | 'interrupted'>): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#flush();
    if (!this.error) await this.#post(`/api/runs/${this.#runId}/finish`, { status, options: summary.options, warnings: summary.warnings, workers: summary.workers }).catch((e: Error) => void (this.error ??= e.message));
  }
}

/** Several hook sets called in turn (progress line, server stream). */
export function combineHooks(...sets: ReplayHooks[]): ReplayHooks {
  const names = ['onStarted', 'onPersonStarted', 'beforeEachStep', 'afterEachStep', 'onPersonFinished'] as const;
  const out: Record<string, (...args: never[]) => void> = {};
  for (const name of names) {
    const fns = sets.map((s) => s[name]).filter(Boolean) as ((...args: never[]) => void)[];
    if (fns.length) out[name] = (...args: never[]) => fns.forEach((f) => f(...args));
  }
  return out as ReplayHooks;
}
