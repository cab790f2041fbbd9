// Options: the Turnout server recordings are sent to. Access to its origin is asked for here,
// when the person saves (optional host permission), never granted up front.
import { LitElement, css, html } from 'lit';

export class ToOptions extends LitElement {
  static override properties = { _serverUrl: { state: true }, _token: { state: true }, _message: { state: true } };
  static override styles = css`
    :host { display: block; font: 15px/1.5 system-ui, sans-serif; max-width: 520px; margin: 24px auto; }
    label { display: block; margin-top: 12px; font-weight: 600; } input { font: inherit; width: 100%; padding: 4px 6px; }
    button { margin-top: 16px; font: inherit; background: #0b5cad; color: #fff; border: 0; border-radius: 4px; padding: 6px 14px; }
    :is(button, input):focus-visible { outline: 3px solid #e8a317; }
  `;
  declare _serverUrl: string;
  declare _token: string;
  declare _message: string;

  constructor() {
    super();
    this._serverUrl = '';
    this._token = '';
    this._message = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void chrome.storage.local.get(['serverUrl', 'token']).then((v) => {
      this._serverUrl = (v.serverUrl as string | undefined) ?? 'http://127.0.0.1:4000';
      this._token = (v.token as string | undefined) ?? '';
    });
  }

  async #save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const serverUrl = String(form.get('serverUrl') ?? '').trim();
    let origin: string;
    try {
      origin = new URL(serverUrl).origin;
    } catch {
      this._message = 'The server URL must be absolute, e.g. http://127.0.0.1:4000';
      return;
    }
    const granted = await chrome.permissions.request({ origins: [`${origin}/*`] });
    if (!granted) {
      this._message = `Without access to ${origin} recordings cannot be sent there.`;
      return;
    }
    await chrome.storage.local.set({ serverUrl: origin, token: String(form.get('token') ?? '') });
    this._message = `Saved: recordings go to ${origin}.`;
  }

  override render() {
    return html`<h1>Turnout recorder</h1>
      <form @submit=${this.#save}>
        <label for="server">Turnout server URL</label><input id="server" name="serverUrl" type="url" .value=${this._serverUrl} required />
        <label for="token">Access token (if the server asks for one)</label><input id="token" name="token" type="password" .value=${this._token} autocomplete="off" />
        <button type="submit">Save</button>
      </form>
      <p role="status">${this._message}</p>`;
  }
}
customElements.define('to-options', ToOptions);
