// The live run: headline counts, the per-step funnel, progress over time, failure groups, the
// people table with each person's timeline, and the comparison with the previous run.
import { LitElement, css, html } from 'lit';
import type { RunComparison, RunSnapshot } from '../../schema/api.js';
import type { PersonResult } from '../../schema/summary.js';
import { api, type LiveSummary } from './api.js';
import { duration, ms, pct } from './format.js';
import { RunSocketController } from './run-socket.js';
import { shared } from './styles.js';
import './to-failure-groups.js';
import './to-people-table.js';
import './to-person-detail.js';
import './to-progress-chart.js';
import './to-run-health.js';
import './to-step-funnel.js';
import type { ToProgressChart } from './to-progress-chart.js';

/** While a run goes on, the people list is fetched again at most this often. */
const PEOPLE_REFRESH_MS = 2000;

export class ToRunView extends LitElement {
  static override properties = {
    runId: { type: String },
    _snapshot: { state: true },
    _people: { state: true },
    _selected: { state: true },
    _compare: { state: true },
    _health: { state: true },
    _error: { state: true },
  };
  static override styles = [
    shared,
    css`
      .headline { display: flex; gap: 28px; align-items: baseline; flex-wrap: wrap; }
      .big { font-size: 1.6rem; font-weight: 700; }
      .grid { display: grid; grid-template-columns: 1fr; gap: 12px; }
      .arrivals .bars { display: flex; align-items: flex-end; gap: 1px; height: 40px; margin-top: 6px; }
      .arrivals .bars span { flex: 1; max-width: 12px; min-height: 1px; background: #1f6feb; }
    `,
  ];
  /** Id of the run shown. */
  declare runId: string;
  declare _snapshot: RunSnapshot | null;
  declare _people: PersonResult[];
  declare _selected: PersonResult | null;
  declare _compare: RunComparison | null;
  declare _health: Pick<LiveSummary, 'workers' | 'warnings'>;
  declare _error: string;
  #lastPeopleFetch = 0;
  #socket = new RunSocketController(this, {
    snapshot: (s) => this.#onSnapshot(s),
    personFailed: (p) => (this._people = [...this._people.filter((x) => x.user !== p.user), p]),
    error: (message) => (this._error = message),
  });

  constructor() {
    super();
    this.runId = '';
    this._snapshot = null;
    this._people = [];
    this._selected = null;
    this._compare = null;
    this._health = {};
    this._error = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('runId') && this.runId) {
      this._snapshot = null;
      this._people = [];
      this._selected = null;
      this.#socket.watch(this.runId);
      void this.#loadPeople();
    }
  }

  #onSnapshot(s: RunSnapshot): void {
    const was = this._snapshot?.run.status;
    this._snapshot = s;
    const seconds = Math.round((Date.now() - Date.parse(s.run.startedAt)) / 100) / 10;
    this.renderRoot.querySelector<ToProgressChart>('to-progress-chart')?.add(seconds, s.run.users.passed, s.run.users.failed);
    const finishedNow = was === 'running' && s.run.status !== 'running';
    if (finishedNow || Date.now() - this.#lastPeopleFetch > PEOPLE_REFRESH_MS) void this.#loadPeople();
  }

  async #loadPeople(): Promise<void> {
    this.#lastPeopleFetch = Date.now();
    try {
      const summary = await api.run(this.runId);
      this._people = summary.results;
      this._health = { workers: summary.workers, warnings: summary.warnings };
      if (summary.status !== 'running') {
        this.#chartFromPeople(summary.startedAt);
        this._compare = await api.compare(this.runId);
      }
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  /** A finished run's curve, from when each person finished. */
  #chartFromPeople(startedAt: string): void {
    const t0 = Date.parse(startedAt);
    let passed = 0;
    let failed = 0;
    const points = this._people
      .map((p) => ({ at: (Date.parse(p.startedAt) + p.durationMs - t0) / 1000, ok: p.status === 'passed' }))
      .sort((a, b) => a.at - b.at)
      .map((p): [number, number, number] => (p.ok ? passed++ : failed++, [Math.round(p.at * 10) / 10, passed, failed]));
    this.renderRoot.querySelector<ToProgressChart>('to-progress-chart')?.reset([[0, 0, 0], ...points]);
  }

  async #stop(): Promise<void> {
    await api.stopRun(this.runId).catch((e: Error) => (this._error = e.message));
  }

  #comparison() {
    const c = this._compare;
    if (!c?.previous) return html``;
    const delta = (a: number | null, b: number | null, f: (v: number) => string) => (a === null || b === null ? '–' : `${a - b >= 0 ? '+' : ''}${f(a - b)}`);
    return html`<h2>Compared with the previous run (<a href="#/runs/${c.previous}">${c.previous}</a>)</h2>
      <table aria-label="Comparison with the previous run">
        <thead><tr><th class="num">#</th><th>Step</th><th class="num">Pass rate</th><th class="num">Δ pass rate</th><th class="num">p95</th><th class="num">Δ p95</th></tr></thead>
        <tbody>${c.steps.map(
          (s) => html`<tr><td class="num">${s.index}</td><td>${s.title}</td><td class="num">${pct(s.passRate)}</td>
            <td class="num">${delta(s.passRate, s.previousPassRate, pct)}</td><td class="num">${ms(s.p95Ms)}</td>
            <td class="num">${delta(s.p95Ms, s.previousP95Ms, ms)}</td></tr>`,
        )}</tbody>
      </table>`;
  }

  /** An open model: people who arrived each second, the last five seconds' rate, one bar a second. */
  #arrivals(s: RunSnapshot) {
    const counts = s.arrivals?.perSecond;
    if (!counts) return html``;
    const last = counts.slice(-5);
    const rate = last.length ? last.reduce((a, b) => a + b, 0) / last.length : 0;
    const max = Math.max(1, ...counts);
    const phases = s.run.options.phases ?? [];
    const target = phases.map((p) => (p.rampTo !== undefined ? `${p.arrivalRate}→${p.rampTo}/s for ${p.duration} s` : `${p.arrivalRate}/s for ${p.duration} s`)).join(', ');
    return html`<section class="card arrivals" aria-label="Arrivals per second">
      <span>Arriving <strong data-testid="arrival-rate">${Math.round(rate * 10) / 10}</strong>/s (last ${last.length} s) · planned ${target}${s.run.users.dropped ? html` · <span class="failed">${s.run.users.dropped} dropped</span>` : ''}</span>
      <div class="bars" role="img" aria-label=${`people started per second: ${counts.join(' ')}`}>
        ${counts.map((n, i) => html`<span title=${`second ${i + 1}: ${n}`} style="height:${(n / max) * 100}%"></span>`)}
      </div>
    </section>`;
  }

  override render() {
    const s = this._snapshot;
    if (this._error && !s) return html`<p class="error" role="alert">${this._error}</p>`;
    if (!s) return html`<p class="muted">Loading run ${this.runId}…</p>`;
    const { users } = s.run;
    return html`
      <h2>${s.run.scenario} <span class="muted">· run ${s.run.id}</span></h2>
      <div class="card headline" aria-live="polite">
        <span><span class="big" data-testid="status">${s.run.status}</span></span>
        <span><span class="big passed" data-testid="passed">${users.passed}</span> passed</span>
        <span><span class="big failed" data-testid="failed">${users.failed}</span> failed</span>
        <span><span class="big" data-testid="running">${s.running}</span> running</span>
        <span class="muted">${users.total} of ${s.run.planned} done · ${duration(s.run.startedAt, s.run.finishedAt)}</span>
        ${s.run.status === 'running' ? html`<button class="secondary" @click=${this.#stop}>Stop run</button>` : ''}
        <a href="#/inbox/${s.run.id}">Inbox of this run</a>
      </div>
      ${s.run.note ? html`<p class="error">${s.run.note}</p>` : ''}
      ${this.#arrivals(s)}
      <h2>Funnel</h2>
      <to-step-funnel .snapshot=${s}></to-step-funnel>
      <div class="grid">
        <section class="card"><to-progress-chart></to-progress-chart></section>
      </div>
      <to-run-health .workers=${this._health.workers ?? []} .warnings=${this._health.warnings ?? []}></to-run-health>
      <h2>Failures</h2>
      <to-failure-groups .steps=${s.steps} .people=${this._people}></to-failure-groups>
      ${this.#comparison()}
      <h2>People</h2>
      <to-person-detail .person=${this._selected} .steps=${s.steps}></to-person-detail>
      <to-people-table .people=${this._people} .steps=${s.steps} @person-selected=${(e: CustomEvent<PersonResult>) => (this._selected = e.detail)}></to-people-table>
    `;
  }
}
customElements.define('to-run-view', ToRunView);
