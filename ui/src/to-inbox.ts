// The SMTP sink's inbox: what the target site mailed to the synthetic people. Bodies are shown
// as text: an email from the target is content, never markup for this page.
import { LitElement, css, html } from 'lit';
import type { InboxMessage } from '../../schema/api.js';
import { api } from './api.js';
import { shared } from './styles.js';

export class ToInbox extends LitElement {
  static override properties = { runId: { type: String }, _messages: { state: true }, _open: { state: true }, _error: { state: true } };
  static override styles = [shared, css`.layout { display: grid; grid-template-columns: minmax(280px, 2fr) 3fr; gap: 16px; } li button { all: unset; cursor: pointer; display: block; width: 100%; } li { padding: 6px; border-bottom: 1px solid #d8dde3; } li[aria-selected='true'] { background: #e8f0fb; } ul { list-style: none; margin: 0; padding: 0; background: #fff; max-height: 70vh; overflow: auto; }`];
  /** Limit to one run's people; all recent mail when null. */
  declare runId: string | null;
  declare _messages: InboxMessage[];
  declare _open: InboxMessage | null;
  declare _error: string;

  constructor() {
    super();
    this.runId = null;
    this._messages = [];
    this._open = null;
    this._error = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('runId')) void this.#load();
  }

  async #load(): Promise<void> {
    try {
      this._messages = await api.inbox(this.runId ?? undefined);
      this._open = this._messages[0] ?? null;
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  override render() {
    const open = this._open;
    return html`<h2>Inbox ${this.runId ? html`of run <a href="#/runs/${this.runId}">${this.runId}</a>` : '(latest 100)'}</h2>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      ${this._messages.length === 0 ? html`<p class="muted">No mail received.</p>` : ''}
      <div class="layout">
        <ul role="listbox" aria-label="Messages">
          ${this._messages.map(
            (m) => html`<li role="option" aria-selected=${m === open ? 'true' : 'false'}><button @click=${() => (this._open = m)}>
              <strong>${m.subject || '(no subject)'}</strong><br /><span class="muted">${m.to.join(', ')} · ${new Date(m.receivedAt).toLocaleTimeString()}</span>
            </button></li>`,
          )}
        </ul>
        ${open
          ? html`<article class="card" aria-label="Message">
              <div><strong>${open.subject}</strong></div>
              <div class="muted">From ${open.from ?? '?'} to ${open.to.join(', ')}</div>
              <pre>${open.text || open.html || ''}</pre>
              ${open.html ? html`<details><summary>HTML source</summary><pre>${open.html}</pre></details>` : ''}
            </article>`
          : ''}
      </div>`;
  }
}
customElements.define('to-inbox', ToInbox);
