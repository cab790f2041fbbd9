// The per-step funnel: how many people reached, passed and failed each step, how long it took,
// and how many are on it right now. People waiting at an email step stand out.
import { LitElement, css, html } from 'lit';
import type { RunSnapshot } from '../../schema/api.js';
import { VITALS } from '../../schema/vitals.js';
import { networkTable, vitalText } from '../../schema/present.js';
import { ms } from './format.js';
import { shared } from './styles.js';



export class ToStepFunnel extends LitElement {
  static override properties = { snapshot: { attribute: false }, _vitals: { state: true } };
  static override styles = [
    shared,
    css`
      .bar { display: flex; height: 14px; min-width: 2px; background: #eef1f4; border-radius: 3px; overflow: hidden; }
      .bar .p { background: #1a7f37; } .bar .f { background: #b3261e; }
      td.bar-cell { width: 28%; }
      .now { font-weight: 600; }
      tr.email-stuck { background: #fff4d6; }
      .toggle { display: inline-flex; gap: 4px; align-items: center; font-size: 0.9rem; margin-bottom: 4px; }
      .badge { display: inline-block; background: #8a4b00; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 0.85rem; }
    `,
  ];
  /** The run's latest snapshot. */
  declare snapshot: RunSnapshot | null;
  /** Web Vitals columns, switched on by the viewer. */
  declare _vitals: boolean;

  constructor() {
    super();
    this.snapshot = null;
    this._vitals = false;
  }

  override render() {
    const s = this.snapshot;
    if (!s) return html``;
    const total = Math.max(1, s.run.planned);
    const vitals = this._vitals ? VITALS : [];
    return html`<label class="toggle"><input type="checkbox" .checked=${this._vitals} @change=${(e: Event) => (this._vitals = (e.target as HTMLInputElement).checked)} /> Web Vitals (p50 / p95)</label>
    <table aria-label="Per-step funnel">
      <thead>
        <tr><th class="num">#</th><th>Step</th><th>Funnel</th><th class="num">Reached</th><th class="num">Passed</th><th class="num">Failed</th><th class="num">Now here</th><th class="num">p50</th><th class="num">p95</th>${vitals.map((v) => html`<th class="num">${v.toUpperCase()}</th>`)}<th>Failures</th></tr>
      </thead>
      <tbody>
        ${s.steps.map((step) => {
          const here = s.atStep[step.index] ?? 0;
          const stuck = here > 0 && step.type === 'waitForEmail';
          const failures = Object.entries(step.failures).map(([c, n]) => `${c} ${n}`).join(', ');
          return html`<tr class=${stuck ? 'email-stuck' : ''} data-step=${step.index}>
            <td class="num">${step.index}</td>
            <td>${step.title} ${stuck ? html`<span class="badge" role="status">✉ ${here} waiting for email</span>` : ''}</td>
            <td class="bar-cell">
              <div class="bar" role="img" aria-label=${`${step.passed} passed, ${step.failed} failed of ${step.reached} reached`} style="width:${(step.reached / total) * 100}%">
                <span class="p" style="flex:${step.passed}"></span><span class="f" style="flex:${step.failed}"></span><span style="flex:${Math.max(0, step.reached - step.passed - step.failed)}"></span>
              </div>
            </td>
            <td class="num" data-col="reached">${step.reached}</td>
            <td class="num passed" data-col="passed">${step.passed}</td>
            <td class="num failed" data-col="failed">${step.failed}</td>
            <td class="num now">${here || ''}</td>
            <td class="num">${ms(step.p50Ms)}</td>
            <td class="num">${ms(step.p95Ms)}</td>
            ${vitals.map((v) => html`<td class="num" data-vital=${v}>${vitalText(step, v)}</td>`)}
            <td class="failed">${failures}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${this.#byNetwork(s)}`;
  }

  /** A run with network cohorts: each profile's passes and times per step. */
  #byNetwork(s: RunSnapshot) {
    const table = networkTable(s.steps);
    if (!table) return html``;
    return html`<h3>Step timings by network</h3>
      <table aria-label="Step timings by network">
        <thead><tr>${table.header.map((h, c) => html`<th class=${c === 1 ? '' : 'num'}>${h}</th>`)}</tr></thead>
        <tbody>${table.rows.map((r) => html`<tr>${r.map((v, c) => html`<td class=${c === 1 ? '' : 'num'}>${v}</td>`)}</tr>`)}</tbody>
      </table>`;
  }
}
customElements.define('to-step-funnel', ToStepFunnel);
