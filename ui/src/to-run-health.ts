// The farm's own side of a run: each machine's CPU and memory while it ran people (a saturated
// one measured slow steps that may not be the site's), and what the run could not do (a full
// disk, a cap reached). Known when the run ends.
import { LitElement, css, html } from 'lit';
import { workerText } from '../../schema/present.js';
import type { WorkerHealth } from '../../schema/summary.js';
import { shared } from './styles.js';

export class ToRunHealth extends LitElement {
  static override properties = { workers: { attribute: false }, warnings: { attribute: false } };
  static override styles = [shared, css`li { margin: 2px 0; } .saturated { color: #8a4b00; font-weight: 600; }`];
  /** Health of each machine that ran people. */
  declare workers: WorkerHealth[];
  /** The run's warnings. */
  declare warnings: string[];

  constructor() {
    super();
    this.workers = [];
    this.warnings = [];
  }

  override render() {
    if (this.workers.length === 0 && this.warnings.length === 0) return html``;
    return html`<section class="card" aria-label="Run health">
      ${this.warnings.length
        ? html`<ul aria-label="Warnings">${this.warnings.map((w) => html`<li class="error" role="note">⚠ ${w}</li>`)}</ul>`
        : ''}
      <table aria-label="Workers">
        <thead><tr><th>Worker</th><th>Health</th></tr></thead>
        <tbody>${this.workers.map(
          (w) => html`<tr><td><code>${w.worker}</code></td><td class=${w.saturated ? 'saturated' : ''}>${w.saturated ? 'saturated — ' : ''}${workerText(w)}</td></tr>`,
        )}</tbody>
      </table>
    </section>`;
  }
}
customElements.define('to-run-health', ToRunHealth);
