// The popup: the recorder's state at a glance (recording / paused / idle, step count), its
// controls, the email steps, and the saved recordings.
import { LitElement, css, html } from 'lit';
import { ask, type RecorderState, type RecordingInfo } from '../shared/messages.js';
import './to-recording-view.js';

export class ToPopup extends LitElement {
  static override properties = { _state: { state: true }, _recordings: { state: true }, _open: { state: true }, _error: { state: true } };
  static override styles = css`
    :host { display: block; width: 380px; font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; padding: 10px 12px; }
    h1 { font-size: 1rem; margin: 0 0 8px; }
    .state { font-weight: 700; } .recording { color: #b3261e; } .paused { color: #8a4b00; } .idle { color: #57606a; }
    .row { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0; align-items: center; }
    button { font: inherit; background: #0b5cad; color: #fff; border: 0; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
    button.secondary { background: #fff; color: #0b5cad; border: 1px solid #0b5cad; }
    button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #e8a317; outline-offset: 1px; }
    input { font: inherit; padding: 2px 6px; width: 150px; }
    ul { list-style: none; padding: 0; margin: 0; } li { display: flex; justify-content: space-between; padding: 4px 0; border-bottom: 1px solid #d8dde3; }
    .error { color: #b3261e; }
  `;
  declare _state: RecorderState | null;
  declare _recordings: RecordingInfo[];
  declare _open: string | null;
  declare _error: string;

  constructor() {
    super();
    this._state = null;
    this._recordings = [];
    this._open = null;
    this._error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#refresh();
  }

  async #refresh(): Promise<void> {
    try {
      [this._state, this._recordings] = await Promise.all([ask('recorder:state', null), ask('recordings:list', null)]);
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  async #do(work: () => Promise<unknown>): Promise<void> {
    this._error = '';
    try {
      await work();
    } catch (e) {
      this._error = (e as Error).message;
    }
    await this.#refresh();
  }

  #subject(): string {
    return this.renderRoot.querySelector<HTMLInputElement>('#subject')?.value.trim() ?? '';
  }

  #controls(s: RecorderState) {
    if (!s.recording) return html`<div class="row"><button @click=${() => this.#do(() => ask('recorder:start', {}))}>Start recording this tab</button></div>`;
    return html`
      <div class="row">
        <button @click=${() => this.#do(async () => (this._open = (await ask('recorder:stop', null)) ? s.recordingId : null))}>Stop</button>
        <button class="secondary" @click=${() => this.#do(() => ask('recorder:pause', { paused: !s.paused }))}>${s.paused ? 'Resume' : 'Pause'}</button>
        <button class="secondary" aria-pressed=${s.mode === 'assert' ? 'true' : 'false'} @click=${() => this.#do(() => ask('recorder:mode', { mode: s.mode === 'assert' ? 'record' : 'assert' }))}>
          ${s.mode === 'assert' ? 'Assert mode: click to check an element' : 'Add a check'}
        </button>
      </div>
      <div class="row">
        <label>Email subject <input id="subject" placeholder="optional" /></label>
      </div>
      <div class="row">
        <button class="secondary" @click=${() => this.#do(() => ask('recorder:insertEmail', { subject: this.#subject() || undefined }))}>Wait for email + open link</button>
        <button class="secondary" @click=${() => this.#do(() => ask('recorder:insertEmail', { subject: this.#subject() || undefined, link: false, extract: { pattern: '(\\d{6})', as: 'code' } }))}>+ extract code</button>
      </div>
      ${s.awaitingEmailLink ? html`<p>Now open the link from the email in this tab: it is recorded as “open email link”.</p>` : ''}`;
  }

  override render() {
    const s = this._state;
    const label = !s ? '…' : !s.recording ? 'idle' : s.paused ? 'paused' : 'recording';
    return html`
      <h1>Turnout recorder</h1>
      <div role="status" aria-live="polite"><span class="state ${label}">${label}</span>${s?.recording ? html` · ${s.steps} steps` : ''}</div>
      ${s ? this.#controls(s) : ''}
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      ${this._open
        ? html`<to-recording-view .recordingId=${this._open} @close=${() => this.#do(async () => (this._open = null))}></to-recording-view>`
        : html`<h1>Recordings</h1>
            <ul>${this._recordings.map((r) => html`<li><span>${r.title} <small>(${r.steps} steps)</small></span><button class="secondary" @click=${() => (this._open = r.id)}>Open</button></li>`)}</ul>
            <p><a href="options.html" target="_blank">Options (Turnout server)</a></p>`}
    `;
  }
}
customElements.define('to-popup', ToPopup);
