// The start-run form of one scenario: people, concurrency, ramp-up, or arrivals at a rate (an
// open model, optionally ramping), network cohorts, base URL.
import { LitElement, css, html } from 'lit';
import { api } from './api.js';
import { shared } from './styles.js';

export class ToStartRun extends LitElement {
  static override properties = { scenarioId: { type: String }, _error: { state: true }, _busy: { state: true } };
  static override styles = [
    shared,
    css`
      form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-top: 8px; }
      label { display: flex; flex-direction: column; font-size: 0.9rem; }
      input { width: 8rem; padding: 4px 6px; }
      input[name='baseUrl'], input[name='network'] { width: 16rem; }
    `,
  ];
  /** Id of the scenario this form starts. */
  declare scenarioId: string;
  declare _error: string;
  declare _busy: boolean;

  constructor() {
    super();
    this.scenarioId = '';
    this._error = '';
    this._busy = false;
  }

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const number = (name: string): number | undefined => (data.get(name) ? Number(data.get(name)) : undefined);
    this._busy = true;
    this._error = '';
    try {
      // An arrival rate makes it an open model: people arrive for so many seconds, whatever
      // happens to earlier ones; "At once" is then the most running before arrivals are dropped.
      const rate = number('arrivalRate');
      const rampTo = number('rampTo');
      const phases = rate !== undefined || rampTo !== undefined ? [{ duration: number('duration') ?? 60, arrivalRate: rate ?? 0, ...(rampTo !== undefined ? { rampTo } : {}) }] : undefined;
      const run = await api.startRun({
        scenario: this.scenarioId,
        ...(phases ? { phases } : {}),
        users: number('users'),
        concurrency: number('concurrency'),
        rampUp: number('rampUp'),
        baseUrl: (data.get('baseUrl') as string) || null,
        ...(data.get('network') ? { network: data.get('network') as string } : {}),
      });
      location.hash = `#/runs/${run.id}`;
    } catch (e) {
      this._error = (e as Error).message;
    } finally {
      this._busy = false;
    }
  }

  override render() {
    return html`<form @submit=${this.#submit} aria-label="Start a run">
      <label>People <input name="users" type="number" min="1" value="20" required /></label>
      <label>At once <input name="concurrency" type="number" min="1" placeholder="auto" /></label>
      <label>Ramp-up (s) <input name="rampUp" type="number" min="0" step="0.5" value="0" /></label>
      <label>Arrivals/s <input name="arrivalRate" type="number" min="0" step="0.1" placeholder="fixed crowd" title="open model: people arriving per second" /></label>
      <label>ramping to /s <input name="rampTo" type="number" min="0" step="0.1" placeholder="steady" /></label>
      <label>for (s) <input name="duration" type="number" min="1" placeholder="60" /></label>
      <label>Network <input name="network" placeholder="none:60,4g:30,3g:10" title="profiles: none, 4g, 3g, slow-3g, by share" /></label>
      <label>Base URL <input name="baseUrl" type="url" placeholder="as recorded" /></label>
      <button type="submit" ?disabled=${this._busy}>Start run</button>
      ${this._error ? html`<span class="error" role="alert">${this._error}</span>` : ''}
    </form>`;
  }
}
customElements.define('to-start-run', ToStartRun);
