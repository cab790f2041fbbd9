// Where a run may go: the recorded origin rewritten to --base-url, and an allow-list made of the
// scenario's own origins plus the base URL, so a scenario cannot steer the farm elsewhere.
import type { Scenario } from '../../../schema/index.js';
import { ReplayInputError } from './errors.js';
import { StepFailure } from './step-failure.js';

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** A proxy address that refuses every connection: nothing can listen on port 0. */
export const BLOCKING_PROXY = 'http://127.0.0.1:0';

export class UrlPolicy {
  readonly recordedOrigin: string | null;
  readonly allowed: ReadonlySet<string>;
  #baseOrigin: string | null;

  constructor(scenario: Scenario, baseUrl: string | null, extraOrigins: readonly string[] = []) {
    const firstNavigate = scenario.steps.find((s) => s.type === 'navigate');
    this.recordedOrigin = firstNavigate?.type === 'navigate' ? originOf(firstNavigate.url) : null;
    this.#baseOrigin = baseUrl ? originOf(baseUrl) : null;
    if (baseUrl && !this.#baseOrigin) throw new ReplayInputError(`--base-url ${JSON.stringify(baseUrl)} is not an absolute http(s) URL`);
    const allowed = new Set<string>();
    for (const step of scenario.steps) {
      const urls = [step.type === 'navigate' ? step.url : undefined, step.target !== 'main' ? step.target : undefined];
      for (const url of urls) {
        const origin = url ? originOf(this.rewrite(url)) : null;
        if (origin) allowed.add(origin);
      }
    }
    if (this.#baseOrigin) allowed.add(this.#baseOrigin);
    for (const o of extraOrigins) allowed.add(originOf(o) ?? o);
    this.allowed = allowed;
  }

  /** The recorded origin replaced by the base URL's; other URLs unchanged. */
  rewrite(url: string): string {
    if (!this.#baseOrigin || !this.recordedOrigin) return url;
    return url.startsWith(this.recordedOrigin) ? this.#baseOrigin + url.slice(this.recordedOrigin.length) : url;
  }

  isAllowed(url: string): boolean {
    const origin = originOf(url);
    return origin !== null && this.allowed.has(origin);
  }

  /**
   * The allow-list as Chromium enforces it by itself, for every request of a browser context
   * (pages, popups, frames, workers, WebSockets, redirects): a proxy that nothing can answer
   * (port 0 refuses on every host) for everything, bypassed only for the allowed origins, each
   * with its scheme and explicit port (a rule without a port would match every port), and the
   * WebSocket scheme of the same origin. `<-loopback>` removes Chromium's implicit bypass of
   * localhost, so another port on the farm's own machine is blocked too. Nothing is paused or
   * looked at on the way: allowed requests cost what they cost without Turnout.
   */
  browserProxy(): { server: string; bypass: string } {
    const rules = ['<-loopback>'];
    for (const origin of this.allowed) {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      const port = url.port || (url.protocol === 'http:' ? '80' : '443');
      const socket = url.protocol === 'http:' ? 'ws:' : 'wss:';
      rules.push(`${url.protocol}//${url.hostname}:${port}`, `${socket}//${url.hostname}:${port}`);
    }
    return { server: BLOCKING_PROXY, bypass: rules.join(',') };
  }

  assertAllowed(url: string): void {
    if (!this.isAllowed(url)) {
      throw new StepFailure('navigation-error', `${url} is outside the allowed origins (${[...this.allowed].join(', ')})`);
    }
  }
}
