// One person's story: each step with its start, duration and matched selector, the failure with
// its URL, status and screenshot.
import { LitElement, css, html } from 'lit';
import type { PersonResult, StepSummary } from '../../schema/summary.js';
import { ms } from './format.js';
import { shared } from './styles.js';

export class ToPersonDetail extends LitElement {
  static override properties = { person: { attribute: false }, steps: { attribute: false } };
  static override styles = [shared, css`.t { height: 10px; background: #1a7f37; min-width: 2px; } .t.failed { background: #b3261e; } img { max-width: 100%; border: 1px solid #d8dde3; }`];
  declare person: PersonResult | null;
  declare steps: StepSummary[];

  constructor() {
    super();
    this.person = null;
    this.steps = [];
  }

  override render() {
    const p = this.person;
    if (!p) return html``;
    const longest = Math.max(1, ...p.steps.map((s) => s.durationMs));
    return html`<section class="card" aria-label=${`Person ${p.user}`}>
      <h2>Person ${p.user} · ${p.email} · <span class=${p.status}>${p.status}</span></h2>
      ${p.error ? html`<p class="failed">${p.errorClass}: ${p.error}</p><p class="muted">${p.url ?? ''}${p.httpStatus ? ` · HTTP ${p.httpStatus}` : ''}</p>` : ''}
      ${p.pageSays ? html`<p>The page says: “${p.pageSays}”</p>` : ''}
      ${p.httpProblems.length ? html`<p>Server problems: ${p.httpProblems.join('; ')}</p>` : ''}
      <table aria-label="Step timeline">
        <thead><tr><th class="num">#</th><th>Step</th><th>Started</th><th class="num">Duration</th><th style="width:30%">Timeline</th><th>Matched selector</th></tr></thead>
        <tbody>${p.steps.map(
          (s) => html`<tr>
            <td class="num">${s.index}</td><td>${this.steps[s.index]?.title ?? ''}</td>
            <td>${new Date(s.startedAt).toLocaleTimeString()}</td><td class="num">${ms(s.durationMs)}</td>
            <td><div class="t ${s.status}" style="width:${(s.durationMs / longest) * 100}%"></div></td>
            <td><code>${s.matchedSelector ?? ''}</code></td>
          </tr>`,
        )}</tbody>
      </table>
      ${p.screenshot ? html`<img src="/artifacts/${p.screenshot}" alt=${`The page when person ${p.user} failed`} />` : ''}
    </section>`;
  }
}
customElements.define('to-person-detail', ToPersonDetail);
