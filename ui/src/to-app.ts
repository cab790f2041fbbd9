// The shell: header navigation and a hash router (#/, #/runs/ID, #/inbox, #/schedules,
// #/trends/SCENARIO), so every view has a
// link a person can share and the server needs no route per page.
import { LitElement, css, html } from 'lit';
import { api } from './api.js';
import { shared } from './styles.js';
import './to-home.js';
import './to-run-view.js';
import './to-inbox.js';
import './to-schedules.js';
import './to-trends.js';

type Route = { name: 'home' } | { name: 'run'; id: string } | { name: 'inbox'; runId: string | null } | { name: 'schedules' } | { name: 'trends'; scenarioId: string };

function route(hash: string): Route {
  const run = /^#\/runs\/([\w-]+)/.exec(hash);
  if (run) return { name: 'run', id: run[1]! };
  const trends = /^#\/trends\/([\w-]+)/.exec(hash);
  if (trends) return { name: 'trends', scenarioId: trends[1]! };
  if (/^#\/schedules/.test(hash)) return { name: 'schedules' };
  const inbox = /^#\/inbox(?:\/([\w-]+))?/.exec(hash);
  if (inbox) return { name: 'inbox', runId: inbox[1] ?? null };
  return { name: 'home' };
}

export class ToApp extends LitElement {
  static override properties = { _route: { state: true }, _needsToken: { state: true }, _error: { state: true } };
  static override styles = [
    shared,
    css`
      header { background: #102a43; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
      header strong { font-size: 1.2rem; }
      header a { color: #fff; text-decoration: none; }
      header a[aria-current='page'] { text-decoration: underline; }
      main { padding: 8px 24px 40px; max-width: 1200px; margin: 0 auto; }
    `,
  ];
  declare _route: Route;
  declare _needsToken: boolean;
  declare _error: string;

  #onHash = (): void => {
    this._route = route(location.hash);
  };
  #onUnauthorized = (): void => {
    this._needsToken = true;
  };

  constructor() {
    super();
    this._route = route(location.hash);
    this._needsToken = false;
    this._error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.#onHash);
    window.addEventListener('turnout:unauthorized', this.#onUnauthorized);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.#onHash);
    window.removeEventListener('turnout:unauthorized', this.#onUnauthorized);
    super.disconnectedCallback();
  }

  async #signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const token = new FormData(event.target as HTMLFormElement).get('token') as string;
    try {
      await api.signIn(token);
      location.reload(); // the session cookie now goes with every request and the socket
    } catch (e) {
      this._error = (e as Error).message;
    }
  }

  #view() {
    if (this._needsToken) {
      return html`<form class="card" @submit=${this.#signIn} aria-label="Sign in">
        <p>This Turnout server needs its access token.</p>
        <label>Token <input name="token" type="password" autocomplete="off" required /></label>
        <button type="submit">Sign in</button>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      </form>`;
    }
    const r = this._route;
    if (r.name === 'run') return html`<to-run-view .runId=${r.id}></to-run-view>`;
    if (r.name === 'inbox') return html`<to-inbox .runId=${r.runId}></to-inbox>`;
    if (r.name === 'schedules') return html`<to-schedules></to-schedules>`;
    if (r.name === 'trends') return html`<to-trends .scenarioId=${r.scenarioId}></to-trends>`;
    return html`<to-home></to-home>`;
  }

  override render() {
    const r = this._route.name;
    return html`
      <header>
        <strong>Turnout</strong>
        <nav aria-label="Main">
          <a href="#/" aria-current=${r === 'home' ? 'page' : 'false'}>Scenarios &amp; runs</a>
          &nbsp;·&nbsp;
          <a href="#/schedules" aria-current=${r === 'schedules' ? 'page' : 'false'}>Schedules</a>
          &nbsp;·&nbsp;
          <a href="#/inbox" aria-current=${r === 'inbox' ? 'page' : 'false'}>Inbox</a>
        </nav>
      </header>
      <main>${this.#view()}</main>
    `;
  }
}
customElements.define('to-app', ToApp);
