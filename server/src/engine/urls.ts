// Where a run may go: the recorded origin rewritten to --base-url, and an allow-list made of the
// scenario's own origins plus the base URL, so a scenario cannot steer the farm elsewhere.
import type { Scenario } from '../../../schema/index.js';
import { ReplayInputError } from './errors.js';
import { StepFailure } from './failure.js';

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

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
   * Matches every http(s) URL outside the allowed origins (and, erring toward blocking, a few
   * allowed ones written unusually, e.g. with a user name): given to Playwright as the route
   * pattern, it keeps allowed requests inside the browser driver instead of sending each one
   * through Turnout's handler, which then decides exactly with isAllowed.
   */
  blockedPattern(): RegExp {
    const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const allowed = [...this.allowed].filter((o) => /^https?:\/\//.test(o)).map(escape);
    return allowed.length ? new RegExp(`^(?!(?:${allowed.join('|')})(?:[/?#]|$))https?:`, 'i') : /^https?:/i;
  }

  assertAllowed(url: string): void {
    if (!this.isAllowed(url)) {
      throw new StepFailure('navigation-error', `${url} is outside the allowed origins (${[...this.allowed].join(', ')})`);
    }
  }
}
