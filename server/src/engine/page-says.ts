// What the page itself says when a person gets stuck: the visible error text a person would read
// ("Error: this username is already registered"), so a report names the site's reason, not
// only Turnout's.
import type { Page } from 'playwright-core';

/** Long enough for a sentence or two; a page that dumps a stack trace is cut. */
export const PAGE_SAYS_MAX_LENGTH = 300;
const READ_TIMEOUT_MS = 1000;

/**
 * Runs in the page: live regions and alerts, fields marked invalid with the text that describes
 * them, then the browser's own validation message of the first invalid field. Visible text only.
 * A string, not a function: the TypeScript loaders wrap named functions in helpers the page lacks.
 */
const READ_ERRORS = `(() => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const clean = (t) => (t || '').replace(/\\s+/g, ' ').trim();
  const text = (el) => (el && visible(el) ? clean(el.innerText ?? el.textContent) : '');
  const found = [];
  for (const el of document.querySelectorAll('[role=alert], [aria-live=assertive], [aria-live=polite], [role=status]')) found.push(text(el));
  for (const field of document.querySelectorAll('[aria-invalid=true]')) {
    const ids = ((field.getAttribute('aria-describedby') || '') + ' ' + (field.getAttribute('aria-errormessage') || '')).split(' ').filter(Boolean);
    for (const id of ids) found.push(text(document.getElementById(id)));
  }
  // The browser's own message, only for a field the person touched or tried to submit (an empty
  // form re-rendered by the site is not the person's mistake), and only when nothing else speaks.
  const touched = (el) => { try { return el.matches(':user-invalid'); } catch { return !el.validity.valid; } };
  const invalid = found.some(Boolean) ? null : [...document.querySelectorAll('input, select, textarea')].find((el) => touched(el) && visible(el));
  if (invalid && invalid.validationMessage) {
    const label = clean((invalid.labels && invalid.labels[0] && invalid.labels[0].innerText) || invalid.getAttribute('aria-label') || invalid.name);
    found.push((label || 'a field') + ': ' + invalid.validationMessage);
  }
  return found;
})()`;

/** The page's visible error text, de-duplicated and capped; null when it shows none. */
export async function pageSays(page: Page): Promise<string | null> {
  const texts = await Promise.race([
    page.evaluate<string[]>(READ_ERRORS).catch(() => [] as string[]),
    new Promise<string[]>((resolve) => setTimeout(() => resolve([]), READ_TIMEOUT_MS)),
  ]);
  const unique = [...new Set(texts.filter(Boolean))];
  if (unique.length === 0) return null;
  const joined = unique.join(' · ');
  return joined.length > PAGE_SAYS_MAX_LENGTH ? `${joined.slice(0, PAGE_SAYS_MAX_LENGTH - 1)}…` : joined;
}
