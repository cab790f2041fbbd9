// Selector resolution: Chrome Recorder selectors (CSS, aria/, text/, xpath/, pierce/, arrays
// through shadow roots) turned into Playwright locators, alternatives tried in order. This is
// the one place that knows the selector syntax; every step that needs an element comes here.
import type { Frame, Locator, Page } from 'playwright-core';
import type { Selector } from '../../../schema/index.js';
import { selectorText } from '../../../schema/present.js';
import { isTimeout, StepFailure } from './failure.js';

type Scope = Page | Frame | Locator;

/** How often to look again for an element that is not there yet. */
const POLL_INTERVAL_MS = 50;

/**
 * Roles tried for an `aria/Name` selector without a role. Chrome matches the accessible name
 * on any node; Playwright's role engine needs a role, so we offer the ones people act on.
 */
const NAMED_ROLES = [
  'button', 'link', 'textbox', 'checkbox', 'radio', 'combobox', 'listbox', 'option', 'menuitem',
  'tab', 'switch', 'slider', 'spinbutton', 'searchbox', 'heading', 'img', 'cell', 'dialog',
] as const;

const ARIA = /^aria\/(.*?)(?:\[role="([^"]+)"\])?$/s;

function ariaLocator(scope: Scope, body: string): Locator {
  const m = ARIA.exec(`aria/${body}`);
  const name = m?.[1] ?? body;
  const role = m?.[2];
  type Role = Parameters<Page['getByRole']>[0];
  const options = name ? { name, exact: true } : {};
  if (role) return scope.getByRole(role as Role, options);
  return NAMED_ROLES.map((r) => scope.getByRole(r, options)).reduce((a, b) => a.or(b));
}

/** One selector part (no shadow descent) within a scope. */
function partLocator(scope: Scope, part: string): Locator {
  if (part.startsWith('aria/')) return ariaLocator(scope, part.slice(5));
  if (part.startsWith('text/')) return scope.getByText(part.slice(5));
  if (part.startsWith('xpath/')) return scope.locator(`xpath=${part.slice(6)}`);
  // Playwright's CSS engine already pierces open shadow roots, which is what pierce/ asks for.
  if (part.startsWith('pierce/')) return scope.locator(`css=${part.slice(7)}`);
  return scope.locator(`css=${part}`);
}

/** The last part of a selector: the element itself (the others are shadow hosts on the way). */
const lastPart = (selector: Selector): string | undefined => (typeof selector === 'string' ? selector : selector.at(-1));

/**
 * Whether the selector's element is named by `aria/Name` without a role. Playwright has no query
 * for a name under any role, so it is asked under each of the 18 roles above: on the demo's pages
 * that costs 2.5 ms of Turnout's CPU and 3.4 ms of Chromium's a lookup, against 1.0 and 1.1 ms
 * for one role, and an action looks its element up more than once.
 */
export function isRolelessAria(selector: Selector): boolean {
  const m = ARIA.exec(lastPart(selector) ?? '');
  return !!m?.[1] && !m[2];
}

/** A role-less `aria/Name` selector asking for that name under one role: `aria/Name[role="textbox"]`. */
export function withRole(selector: Selector, role: string): Selector {
  const part = `${lastPart(selector)}[role="${role}"]`;
  return typeof selector === 'string' ? part : [...selector.slice(0, -1), part];
}

/**
 * The role Playwright gives an element, one of those an `aria/Name` selector is asked under: the
 * first line of its ARIA snapshot (`- textbox "Password"`). Null when the element did not appear
 * within `timeoutMs`, or has no such role.
 */
export async function roleOf(element: Locator, timeoutMs: number): Promise<string | null> {
  const snapshot = await element.ariaSnapshot({ timeout: timeoutMs }).catch(() => '');
  const role = /^- ([a-z]+)/.exec(snapshot)?.[1];
  return role && (NAMED_ROLES as readonly string[]).includes(role) ? role : null;
}

/** A selector as a locator: an array descends part by part (through shadow roots). */
export function toLocator(root: Page | Frame, selector: Selector): Locator {
  const parts = typeof selector === 'string' ? [selector] : selector;
  let scope: Scope = root;
  for (const part of parts) scope = partLocator(scope, part);
  return scope as Locator;
}

export { selectorText };

export interface Found {
  locator: Locator;
  matched: string;
  /** Which candidate matched, in the step's order. */
  index: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The first selector alternative that matches an element, waiting up to `timeoutMs` for one to
 * appear. A candidate that matches several elements uses the first, as Chrome's replay does.
 */
export async function findElement(
  root: Page | Frame,
  selectors: readonly Selector[],
  timeoutMs: number,
  signal?: AbortSignal,
  /** The step's whole wait, named in the failure when part of it was spent before this search. */
  statedMs = timeoutMs,
): Promise<Found> {
  if (selectors.length === 0) throw new StepFailure('selector-not-found', 'the step has no selector to look for');
  const candidates = selectors.map((s) => ({ text: selectorText(s), locator: toLocator(root, s) }));
  // Any candidate at all: what the wait between searches waits for.
  const any = candidates.map((c) => c.locator).reduce((a, b) => a.or(b)).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [index, c] of candidates.entries()) {
      // One round trip, in the same isolated world Playwright's actions use: asking in the page's
      // own world would make Playwright inject its selector engine (~300 KB) a second time into
      // every document. A candidate can throw while the page navigates: try the next.
      const n = await c.locator.count().catch(() => 0);
      if (n === 0) continue;
      // Each candidate is its own round trip: a page that wrote its form in between may now match
      // an earlier one too, and Chrome's order picks the earliest. Ask those again before
      // settling on a later one.
      for (const [earlier, e] of candidates.slice(0, index).entries()) {
        if ((await e.locator.count().catch(() => 0)) > 0) return { locator: e.locator.first(), matched: e.text, index: earlier };
      }
      return { locator: c.locator.first(), matched: c.text, index };
    }
    if (signal?.aborted) throw signal.reason;
    if (Date.now() >= deadline) {
      const shown = candidates.slice(0, 3).map((c) => JSON.stringify(c.text)).join(', ');
      const more = candidates.length > 3 ? ` and ${candidates.length - 3} more` : '';
      throw new StepFailure('selector-not-found', `no element matched ${shown}${more} within ${statedMs} ms`, true);
    }
    // Until one appears, Playwright waits inside the page with its own back-off (20 ms rising to
    // 500 ms), as a hand-written locator action would: one call, not a round trip per candidate
    // every 50 ms, which a crowd on a slow page pays for in CPU. The search above then names
    // the earliest candidate that matches. A wait cut short (the frame navigating or going
    // away) is retried after a pause; a page that is closed ends in the person's abort.
    const waited = await any.waitFor({ state: 'attached', timeout: Math.max(1, deadline - Date.now()) }).then(
      () => true,
      (error: unknown) => isTimeout(error),
    );
    if (!waited) await sleep(POLL_INTERVAL_MS);
  }
}

/** The frame a step runs in: a child-frame index path from the page's main frame. */
export async function findFrame(page: Page, path: readonly number[] | undefined, timeoutMs: number): Promise<Frame> {
  let frame = page.mainFrame();
  if (!path) return frame;
  const deadline = Date.now() + timeoutMs;
  for (const index of path) {
    let child = frame.childFrames()[index];
    while (!child && Date.now() < deadline) {
      await sleep(POLL_INTERVAL_MS);
      child = frame.childFrames()[index];
    }
    if (!child) throw new StepFailure('selector-not-found', `no frame at path [${path.join(', ')}] within ${timeoutMs} ms`);
    frame = child;
  }
  return frame;
}
