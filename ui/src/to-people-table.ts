// Everyone in the run, filterable by status, failed step and class; a row opens the person's
// step timeline.
import { LitElement, css, html } from 'lit';
import type { PersonResult, StepSummary } from '../../schema/summary.js';
import { ms } from './format.js';
import { shared } from './styles.js';

export class ToPeopleTable extends LitElement {
  static override properties = {
    people: { attribute: false },
    steps: { attribute: false },
    _status: { state: true },
    _step: { state: true },
    _class: { state: true },
  };
  static override styles = [shared, css`.filters { display: flex; gap: 12px; margin-bottom: 8px; } tr[tabindex] { cursor: pointer; } tr[tabindex]:hover { background: #f0f6ff; }`];
  /** Finished people of the run. */
  declare people: PersonResult[];
  declare steps: StepSummary[];
  declare _status: string;
  declare _step: string;
  declare _class: string;

  constructor() {
    super();
    this.people = [];
    this.steps = [];
    this._status = '';
    this._step = '';
    this._class = '';
  }

  #open(person: PersonResult): void {
    this.dispatchEvent(new CustomEvent<PersonResult>('person-selected', { detail: person, bubbles: true, composed: true }));
  }

  #visible(): PersonResult[] {
    return this.people.filter(
      (p) =>
        (!this._status || p.status === this._status) &&
        (!this._step || String(p.failedStep) === this._step) &&
        (!this._class || p.errorClass === this._class),
    );
  }

  override render() {
    const classes = [...new Set(this.people.map((p) => p.errorClass).filter(Boolean))] as string[];
    const rows = this.#visible();
    return html`
      <div class="filters">
        <label>Status <select @change=${(e: Event) => (this._status = (e.target as HTMLSelectElement).value)}>
          <option value="">all</option><option value="passed">passed</option><option value="failed">failed</option></select></label>
        <label>Failed at <select @change=${(e: Event) => (this._step = (e.target as HTMLSelectElement).value)}>
          <option value="">any step</option>${this.steps.map((s) => html`<option value=${String(s.index)}>${s.index} ${s.title}</option>`)}</select></label>
        <label>Class <select @change=${(e: Event) => (this._class = (e.target as HTMLSelectElement).value)}>
          <option value="">any</option>${classes.map((c) => html`<option>${c}</option>`)}</select></label>
        <span class="muted" aria-live="polite">${rows.length} of ${this.people.length} people</span>
      </div>
      <table aria-label="People">
        <thead><tr><th class="num">#</th><th>Email</th><th>Status</th><th class="num">Failed at</th><th>Class</th><th>Error</th><th class="num">Time</th></tr></thead>
        <tbody>
          ${rows.slice(0, 500).map(
            (p) => html`<tr tabindex="0" @click=${() => this.#open(p)} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.#open(p)}>
              <td class="num">${p.user}</td><td>${p.email}</td><td class=${p.status}>${p.status}</td>
              <td class="num">${p.failedStep ?? ''}</td><td>${p.errorClass ?? ''}</td><td>${p.error ?? ''}</td><td class="num">${ms(p.durationMs)}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  }
}
customElements.define('to-people-table', ToPeopleTable);
