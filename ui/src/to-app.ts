// The shell: header navigation and a hash router (#/, #/runs/ID, #/inbox), so every view has a
// link a person can share and the server needs no route per page.
import { LitElement, css, html } from 'lit';
import { shared } from './styles.js';
import './to-home.js';
import './to-run-view.js';
import './to-inbox.js';

type Route = { name: 'home' } | { name: 'run'; id: string } | { name: 'inbox'; runId: string | null };

function route(hash: string): Route {
  const run = /^#\/runs\/([\w-]+)/.exec(hash);
  if (run) return { name: 'run', id: run[1]! };
  const inbox = /^#\/inbox(?:\/([\w-]+))?/.exec(hash);
  if (inbox) return { name: 'inbox', runId: inbox[1] ?? null };
  return { name: 'home' };
}

export class ToApp extends LitElement {
  static override properties = { _route: { state: true } };
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

  #onHash = (): void => {
    this._route = route(location.hash);
  };

  constructor() {
    super();
    this._route = route(location.hash);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.#onHash);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.#onHash);
    super.disconnectedCallback();
  }

  #view() {
    const r = this._route;
    if (r.name === 'run') return html`<to-run-view .runId=${r.id}></to-run-view>`;
    if (r.name === 'inbox') return html`<to-inbox .runId=${r.runId}></to-inbox>`;
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
          <a href="#/inbox" aria-current=${r === 'inbox' ? 'page' : 'false'}>Inbox</a>
        </nav>
      </header>
      <main>${this.#view()}</main>
    `;
  }
}
customElements.define('to-app', ToApp);
