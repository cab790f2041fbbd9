// One recording: rename, review and delete steps, turn any typed value into any variable or a
// fixed value, export as JSON (Turnout or Chrome Recorder), send to a Turnout server, delete.
import { LitElement, css, html } from 'lit';
import { describeStep } from '../../../schema/present.js';
import { USER_FIELDS, type Step } from '../../../schema/scenario.js';
import { ask, type Recording } from '../shared/messages.js';

/** Every variable a recorded value can become; {{user.unique}} for a field the recorder cannot know. */
const VARIABLES = USER_FIELDS.map((f) => `{{user.${f}}}`);
const FIXED = 'fixed';

export class ToRecordingView extends LitElement {
  static override properties = { recordingId: { type: String }, _recording: { state: true }, _message: { state: true } };
  static override styles = css`
    :host { display: block; }
    ol { padding-left: 22px; max-height: 260px; overflow: auto; font-size: 12px; }
    li { margin: 2px 0; word-break: break-all; }
    button { font: inherit; font-size: 12px; background: #fff; color: #0b5cad; border: 1px solid #0b5cad; border-radius: 4px; padding: 1px 6px; cursor: pointer; }
    button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #e8a317; }
    .row { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0; }
    input { font: inherit; width: 240px; }
  `;
  /** Id of the recording shown. */
  declare recordingId: string;
  declare _recording: Recording | null;
  declare _message: string;

  constructor() {
    super();
    this.recordingId = '';
    this._recording = null;
    this._message = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('recordingId')) void ask('recordings:get', { id: this.recordingId }).then((r) => (this._recording = r));
  }

  async #edit(work: Promise<Recording | null>): Promise<void> {
    this._recording = (await work) ?? this._recording;
  }

  #setValue(index: number, choice: string): void {
    const value = choice === FIXED ? prompt('Fixed value for this field:', '') : choice;
    if (value !== null) void this.#edit(ask('recordings:setValue', { id: this.recordingId, index, value }));
  }

  /** A change step's value: any variable, or a fixed value (the recorded literal, or one typed here). */
  #valueChooser(index: number, step: Extract<Step, { type: 'change' }>) {
    const isVariable = VARIABLES.includes(step.value);
    return html`<select aria-label=${`Value of step ${index + 1}`} @change=${(e: Event) => this.#setValue(index, (e.target as HTMLSelectElement).value)}>
      ${isVariable ? '' : html`<option value="" selected disabled>fixed: ${step.value}</option>`}
      ${VARIABLES.map((v) => html`<option value=${v} ?selected=${v === step.value}>${v}</option>`)}
      <option value=${FIXED}>a fixed value…</option>
    </select>`;
  }

  async #export(format: 'turnout' | 'chrome'): Promise<void> {
    const text = await ask('recordings:export', { id: this.recordingId, format });
    if (!text) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    a.download = `${(this._recording?.title ?? 'recording').replace(/[^\w-]+/g, '-')}${format === 'chrome' ? '.chrome' : ''}.json`;
    a.click();
  }

  override render() {
    const r = this._recording;
    if (!r) return html`<p>Loading…</p>`;
    return html`
      <div class="row">
        <input aria-label="Recording title" .value=${r.title} @change=${(e: Event) => void ask('recordings:rename', { id: r.id, title: (e.target as HTMLInputElement).value })} />
      </div>
      <ol aria-label="Steps">
        ${r.scenario.steps.map(
          (step, i) => html`<li>${describeStep(step)}
            ${step.type === 'change' ? this.#valueChooser(i, step) : ''}
            <button aria-label=${`Delete step ${i + 1}`} @click=${() => this.#edit(ask('recordings:deleteStep', { id: r.id, index: i }))}>✕</button></li>`,
        )}
      </ol>
      <div class="row">
        <button @click=${() => this.#export('turnout')}>Export JSON</button>
        <button @click=${() => this.#export('chrome')}>Export for Chrome Recorder</button>
        <button @click=${async () => (this._message = (await ask('recordings:send', { id: r.id })).message)}>Send to Turnout server</button>
        <button @click=${async () => (await ask('recordings:delete', { id: r.id }), this.dispatchEvent(new CustomEvent('close')))}>Delete recording</button>
        <button @click=${() => this.dispatchEvent(new CustomEvent('close'))}>Back</button>
      </div>
      ${this._message ? html`<p role="status">${this._message}</p>` : ''}
    `;
  }
}
customElements.define('to-recording-view', ToRecordingView);
