// One recording: rename, review and delete steps, switch a typed value between a literal and a
// variable, export as JSON (Turnout or Chrome Recorder), send to a Turnout server, delete.
import { LitElement, css, html } from 'lit';
import type { Step } from '../../../schema/scenario.js';
import { ask, type Recording } from '../shared/messages.js';

const VARIABLES = ['{{user.email}}', '{{user.password}}', '{{user.firstName}}', '{{user.lastName}}', '{{user.fullName}}', '{{user.phone}}', '{{user.dateOfBirth}}'];

function describe(step: Step): string {
  const first = (step as { selectors?: unknown[] }).selectors?.[0];
  const sel = first ? JSON.stringify(first) : '';
  switch (step.type) {
    case 'navigate': return `navigate ${step.url}`;
    case 'change': return `change ${sel} → ${step.value}`;
    case 'keyDown': case 'keyUp': return `${step.type} ${step.key}`;
    case 'waitForEmail': return `wait for email${step.subject ? ` “${step.subject}”` : ''}`;
    case 'openEmailLink': return `open email link${step.link ? ` “${step.link}”` : ''}`;
    case 'extractFromEmail': return `extract {{${step.as}}} from email`;
    default: return `${step.type} ${sel}`;
  }
}

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

  #toggleValue(index: number, step: Extract<Step, { type: 'change' }>): void {
    const isVariable = /^\{\{.+\}\}$/.test(step.value);
    const value = isVariable ? prompt('Fixed value for this field:', '') : prompt(`Variable (${VARIABLES.join(', ')}):`, VARIABLES[0]);
    if (value !== null) void this.#edit(ask('recordings:setValue', { id: this.recordingId, index, value }));
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
          (step, i) => html`<li>${describe(step)}
            ${step.type === 'change' ? html`<button @click=${() => this.#toggleValue(i, step)}>${/^\{\{/.test(step.value) ? 'use a fixed value' : 'use a variable'}</button>` : ''}
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
