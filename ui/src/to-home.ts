// Scenarios with a start-run form, and the run history with pass rate and duration.
import { LitElement, html } from 'lit';
import type { ApiReplies, RunInfo, ScenarioInfo } from '../../schema/api.js';
import { describeRetention } from '../../schema/present.js';
import { api } from './api.js';
import { duration, pct, time } from './format.js';
import { onRunListChange } from './run-socket.js';
import { shared } from './styles.js';
import './to-start-run.js';

export class ToHome extends LitElement {
  static override properties = { _scenarios: { state: true }, _runs: { state: true }, _retention: { state: true }, _error: { state: true } };
  static override styles = [shared];
  declare _scenarios: ScenarioInfo[];
  declare _runs: RunInfo[];
  declare _retention: ApiReplies['GET /api/health']['retention'] | null;
  declare _error: string;
  #unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this._scenarios = [];
    this._runs = [];
    this._retention = null;
    this._error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
    this.#unsubscribe = onRunListChange(() => void this.#load());
  }

  override disconnectedCallback(): void {
    this.#unsubscribe?.();
    super.disconnectedCallback();
  }

  async #load(): Promise<void> {
    try {
      [this._scenarios, this._runs, { retention: this._retention }] = await Promise.all([api.scenarios(), api.runs(), api.health()]);
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  /** What the server keeps of the history (`--retain-runs`, `--retain-days`). */
  #retention() {
    const r = this._retention;
    if (!r) return '';
    const removed = r.runs || r.days ? '; older ones are removed with their screenshots and traces, never a running one' : '';
    const said = describeRetention(r);
    return html`<p class="muted" data-testid="retention">${said[0]!.toUpperCase()}${said.slice(1)}${removed}.</p>`;
  }

  override render() {
    return html`
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      <h2>Scenarios</h2>
      ${this._scenarios.length === 0 ? html`<p class="muted">No scenarios yet: POST one to /api/scenarios.</p>` : ''}
      ${this._scenarios.map(
        (s) => html`<section class="card" aria-label=${`Scenario ${s.title}`}>
          <strong>${s.title}</strong> <span class="muted">· ${s.steps} steps · id ${s.id}</span> · <a href="#/trends/${s.id}">Trends</a>
          <to-start-run .scenarioId=${s.id}></to-start-run>
        </section>`,
      )}
      <h2>Runs</h2>
      ${this.#retention()}
      <table aria-label="Run history">
        <thead><tr><th>Scenario</th><th>Started</th><th>Status</th><th class="num">People</th><th class="num">Pass rate</th><th class="num">Duration</th></tr></thead>
        <tbody>
          ${this._runs.map(
            (r) => html`<tr>
              <td><a href="#/runs/${r.id}">${r.scenario}</a></td>
              <td>${time(r.startedAt)}</td>
              <td>${r.status}${r.note ? html` <span class="muted">(${r.note})</span>` : ''}</td>
              <td class="num">${r.users.total}/${r.planned}</td>
              <td class="num">${r.users.total ? pct(r.users.passed / r.users.total) : '–'}</td>
              <td class="num">${duration(r.startedAt, r.finishedAt)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}
customElements.define('to-home', ToHome);
