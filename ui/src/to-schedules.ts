// Schedules: the runs the server starts on its own, on a cron pattern, with their next run, last
// verdict, skips and alerts; a form to add one, and a switch to pause or resume each.
import { LitElement, css, html } from 'lit';
import type { ScenarioInfo, ScheduleInfo } from '../../schema/api.js';
import { api } from './api.js';
import { shared } from './styles.js';

export class ToSchedules extends LitElement {
  static override properties = { _schedules: { state: true }, _scenarios: { state: true }, _error: { state: true } };
  static override styles = [
    shared,
    css`
      form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; }
      label { display: flex; flex-direction: column; font-size: 0.9rem; }
      input, select, textarea { padding: 4px 6px; }
      textarea { width: 18rem; height: 3.2rem; }
    `,
  ];
  declare _schedules: ScheduleInfo[];
  declare _scenarios: ScenarioInfo[];
  declare _error: string;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this._schedules = [];
    this._scenarios = [];
    this._error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
    this.#timer = setInterval(() => void this.#load(), 5000);
  }

  override disconnectedCallback(): void {
    clearInterval(this.#timer);
    super.disconnectedCallback();
  }

  async #load(): Promise<void> {
    try {
      [this._schedules, this._scenarios] = await Promise.all([api.schedules(), api.scenarios()]);
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  async #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string): string => String(data.get(name) ?? '').trim();
    const lines = (name: string): string[] => text(name).split('\n').map((l) => l.trim()).filter(Boolean);
    this._error = '';
    try {
      await api.createSchedule({
        scenario: text('scenario'),
        cron: text('cron'),
        ...(text('timezone') ? { timezone: text('timezone') } : {}),
        users: Number(text('users') || 1),
        ...(text('baseUrl') ? { baseUrl: text('baseUrl') } : {}),
        thresholds: lines('thresholds'),
        // "slack " before a URL sends Slack's body; anything else, the generic webhook body.
        alerts: lines('alerts').map((line) => (/^slack\s+/i.test(line) ? { kind: 'slack' as const, url: line.replace(/^slack\s+/i, '') } : { kind: 'webhook' as const, url: line })),
      });
      form.reset();
      await this.#load();
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  async #toggle(s: ScheduleInfo): Promise<void> {
    try {
      await api.patchSchedule(s.id, { enabled: !s.enabled });
      await this.#load();
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  /** The deliveries of the newest alert: to where, delivered or not, after how many tries. */
  #lastAlerts(s: ScheduleInfo) {
    const alerts = s.events.filter((e) => e.kind === 'alert');
    const newest = alerts[0];
    if (!newest) return html`<span class="muted">none yet</span>`;
    const same = alerts.filter((a) => a.runId === newest.runId && a.event === newest.event);
    return html`${newest.event} (${new Date(newest.at).toLocaleString()}):
      ${same.map((a) => html`<div class=${a.delivered ? 'passed' : 'failed'}>${a.alertKind} → ${a.target}: ${a.delivered ? `delivered${a.attempts > 1 ? ` after ${a.attempts} tries` : ''}` : `not delivered (${a.error})`}</div>`)}`;
  }

  override render() {
    return html`<h2>Schedules</h2>
      <p class="muted">The server starts these runs on its own. A run still going when the next is due makes that one skipped; runs missed while the server was down are not replayed. Alerts go out when a run breaks (a threshold, a regression, the farm itself) and once when it recovers.</p>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      <table aria-label="Schedules">
        <thead><tr><th>Scenario</th><th>When</th><th>People</th><th>Next run</th><th>Last verdict</th><th class="num">Skipped</th><th>Alerts to</th><th>Last alert</th><th></th></tr></thead>
        <tbody>
          ${this._schedules.map((s) => {
            const v = s.last?.verdict;
            const why = v ? [...v.failedThresholds, ...(v.regressions ? [`${v.regressions} regression(s)`] : []), ...(v.farmFailed ? ['the farm failed'] : [])].join('; ') : '';
            return html`<tr data-schedule=${s.id}>
              <td>${this._scenarios.find((c) => c.id === s.scenario)?.title ?? s.scenario}</td>
              <td><code>${s.cron}</code>${s.timezone ? html` <span class="muted">${s.timezone}</span>` : ''}</td>
              <td class="num">${s.users}</td>
              <td>${s.enabled ? (s.nextRunAt ? new Date(s.nextRunAt).toLocaleString() : '–') : html`<span class="muted">paused</span>`}</td>
              <td>${v ? html`<a href="#/runs/${s.last!.runId}" class=${v.ok ? 'passed' : 'failed'}>${v.ok ? 'passed' : 'broken'}</a> <span class="muted">${why}</span>` : html`<span class="muted">no run yet</span>`}</td>
              <td class="num">${s.skipped}</td>
              <td>${s.alerts.map((a) => `${a.kind} → ${a.to}`).join(', ')}</td>
              <td>${this.#lastAlerts(s)}</td>
              <td><button class="secondary" @click=${() => this.#toggle(s)}>${s.enabled ? 'Pause' : 'Resume'}</button></td>
            </tr>`;
          })}
        </tbody>
      </table>
      <h3>New schedule</h3>
      <form class="card" @submit=${this.#create} aria-label="New schedule">
        <label>Scenario <select name="scenario" required>${this._scenarios.map((s) => html`<option value=${s.id}>${s.title}</option>`)}</select></label>
        <label>Cron <input name="cron" required placeholder="0 3 * * *" title="5 fields, or 6 with seconds first" /></label>
        <label>Time zone <input name="timezone" placeholder="server's" /></label>
        <label>People <input name="users" type="number" min="1" value="20" /></label>
        <label>Base URL <input name="baseUrl" type="url" placeholder="as recorded" /></label>
        <label>Thresholds (one per line) <textarea name="thresholds" placeholder="pass_rate>=0.99"></textarea></label>
        <label>Alerts (one per line; "slack " first for Slack) <textarea name="alerts" placeholder="slack {{secret.SLACK_WEBHOOK}}"></textarea></label>
        <button type="submit">Add schedule</button>
      </form>`;
  }
}
customElements.define('to-schedules', ToSchedules);
