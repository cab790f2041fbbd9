// Where an action led, checked against the recording: the landing page's title and its path and
// query-parameter names. A form re-rendered with an error at the same address is a navigation
// too (a POST answer is one), so only the landing page tells "the account was created" from
// "the site refused it".
import type { Page } from 'playwright-core';
import type { Step } from '../../../schema/index.js';
import { StepFailure } from './failure.js';

/** Scripts set titles and rewrite the address after load: how long the landing page may take to settle. */
const LANDING_SETTLE_MS = 3000;
const POLL_INTERVAL_MS = 100;

/** A recorded word that stood for the person (their name) or any word: matches any text. */
const WILDCARD = '*';

export interface ExpectedLanding {
  /** The recorded title, with the recorder's wildcards; null when the recording has none. */
  title: string | null;
  /** Path segments; `*` for one that held the person's data or a token. */
  path: string[] | null;
  /** Names of the query parameters, sorted (values are never recorded). */
  query: string[] | null;
  /** How the recording wrote it, for messages: "'Check your email' (/register?sent)". */
  described: string;
}

/** A segment that is an id or a token, different for every person: "4f3a…", a UUID, "HM-123456". */
const TOKEN_SEGMENT = /^(?=.*\d)[\w.~-]{16,}$|^[0-9a-f]{8}-[0-9a-f]{4}-/i;

const maskDigits = (text: string): string => text.replace(/\d+/g, '#');
const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((s) => (s === WILDCARD || TOKEN_SEGMENT.test(s) ? WILDCARD : maskDigits(decodeURIComponent(s))));
}

function queryNames(search: string): string[] {
  return [...new Set(new URLSearchParams(search).keys())].sort();
}

export function describeAddress(url: URL): string {
  const names = queryNames(url.search);
  return `${url.pathname}${names.length ? `?${names.join('&')}` : ''}`;
}

/** What the step's asserted navigation recorded of its landing page, or null when nothing. */
export function expectedLanding(step: Step): ExpectedLanding | null {
  const event = step.assertedEvents?.find((e) => e.type === 'navigation');
  if (!event || (!event.url && !event.title)) return null;
  let url: URL | null = null;
  try {
    url = event.url ? new URL(event.url) : null;
  } catch {
    url = null; // a relative or odd URL in a hand-written file: the title alone is checked
  }
  const title = event.title ? collapse(event.title) : null;
  const address = url ? ` (${describeAddress(url)})` : '';
  return {
    title,
    path: url ? pathSegments(url.pathname) : null,
    query: url ? queryNames(url.search) : null,
    described: `${title ? `'${title}'` : 'the page'}${address}`,
  };
}

/** The recorded title as a pattern: digits and wildcards match anything there. */
function titlePattern(title: string): RegExp {
  const parts = maskDigits(title).split(WILDCARD).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/#/g, '\\d+'));
  return new RegExp(`^${parts.join('.*')}$`, 'i');
}

function landedOn(expected: ExpectedLanding, title: string, url: URL): boolean {
  if (expected.title !== null && !titlePattern(expected.title).test(collapse(title))) return false;
  if (expected.query && queryNames(url.search).join('&') !== expected.query.join('&')) return false;
  if (!expected.path) return true;
  const landed = pathSegments(url.pathname);
  return landed.length === expected.path.length && expected.path.every((s, i) => s === WILDCARD || s === landed[i]);
}

/**
 * Waits (briefly) until the page is the one the recording landed on; fails the step as
 * `unexpected-page` when it is not, naming both.
 */
export async function checkLanding(page: Page, expected: ExpectedLanding, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + Math.min(timeoutMs, LANDING_SETTLE_MS);
  for (;;) {
    const url = new URL(page.url());
    const title = await page.title();
    if (landedOn(expected, title, url)) return;
    if (Date.now() >= deadline) {
      throw new StepFailure('unexpected-page', `expected the page ${expected.described}, landed on '${collapse(title)}' (${describeAddress(url)})`);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}
