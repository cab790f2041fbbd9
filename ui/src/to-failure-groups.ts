// Failures grouped by step × class: how many, a sample message, a sample screenshot. The target
// site's text (errors, URLs) is always rendered as text, never as markup.
import { LitElement, css, html } from 'lit';
import { failureGroups } from '../../schema/present.js';
import type { PersonResult, StepSummary } from '../../schema/summary.js';
import { shared } from './styles.js';

export class ToFailureGroups extends LitElement {
  static override properties = { steps: { attribute: false }, people: { attribute: false } };
  static override styles = [shared, css`img { max-width: 320px; border: 1px solid #d8dde3; display: block; margin-top: 6px; }`];
  /** Step summaries of the run (their failure counts are authoritative). */
  declare steps: StepSummary[];
  /** People known so far, for samples. */
  declare people: PersonResult[];

  constructor() {
    super();
    this.steps = [];
    this.people = [];
  }

  override render() {
    const groups = failureGroups(this.steps, this.people);
    if (groups.length === 0) return html`<p class="muted">No failures.</p>`;
    return html`${groups.map(
      (g) => html`<section class="card" aria-label=${`${g.count} ${g.failureClass} at step ${g.step.index}`}>
        <strong class="failed">${g.count} stuck at step ${g.step.index} “${g.step.title}”: ${g.failureClass}</strong>
        ${g.sample
          ? html`<div>${g.sample.error}</div>
              ${g.sample.pageSays ? html`<div>The page says: “${g.sample.pageSays}”</div>` : ''}
              <div class="muted">${g.sample.url ?? ''}${g.sample.httpStatus ? ` · HTTP ${g.sample.httpStatus}` : ''}</div>
              ${g.sample.screenshot ? html`<img src="/artifacts/${g.sample.screenshot}" alt=${`Screenshot of person ${g.sample.user} at the failure`} loading="lazy" />` : ''}`
          : ''}
      </section>`,
    )}`;
  }
}
customElements.define('to-failure-groups', ToFailureGroups);
