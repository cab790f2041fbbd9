// Chrome Recorder's waitForElement: wait until a selector matches `count` elements (compared by
// `operator`), optionally only visible ones, optionally with given properties and attributes.
import type { Frame, Locator } from 'playwright-core';
import type { StepOf } from '../../../schema/index.js';
import { isTimeout, StepFailure } from './failure.js';
import { firstCandidateWait, firstStale, foundAt, tookLast } from './first-candidate.js';
import { selectorText, toLocator } from './locate.js';

const POLL_INTERVAL_MS = 100;

interface Filter {
  visible: boolean;
  properties: Record<string, unknown>;
  attributes: Record<string, string>;
}

/** Returns the selector candidate that satisfied the step. */
export async function waitForElementStep(
  frame: Frame,
  step: StepOf<'waitForElement'>,
  timeoutMs: number,
  signal: AbortSignal,
  paceMs = 0,
): Promise<string> {
  const operator = step.operator ?? '>=';
  const count = step.count ?? 1;
  // Chrome's replayer waits for visible elements unless the step says otherwise.
  const filter: Filter = { visible: step.visible ?? true, properties: step.properties ?? {}, attributes: step.attributes ?? {} };
  const holds = (n: number): boolean => (operator === '>=' ? n >= count : operator === '<=' ? n <= count : n === count);
  const candidates = step.selectors.map((s) => ({ text: selectorText(s), locator: toLocator(frame, s) }));
  const started = Date.now();
  const deadline = started + timeoutMs;
  // Counting is Playwright's (its isolated world, its idea of visible) unless the step checks
  // properties or attributes, which only the page's own world can read.
  const plain = !Object.keys(filter.properties).length && !Object.keys(filter.attributes).length;
  // The usual wait, "one visible element", is left to Playwright inside the page: one call
  // instead of a poll every 100 ms. The loop below then names the candidate (or the shortfall).
  const usual = operator === '>=' && count === 1 && filter.visible && plain;
  // The first candidate, while it matches for the people before: waited for alone, its answer
  // is the step's, with no search after it to name which candidate matched.
  const first = candidates[0];
  if (usual && first && !firstStale.has(step)) {
    const appeared = await first.locator
      .filter({ visible: true })
      .first()
      .waitFor({ state: 'attached', timeout: firstCandidateWait(step, timeoutMs, paceMs) })
      .then(
        () => true,
        (e: unknown) => {
          if (!isTimeout(e)) throw e;
          return false;
        },
      );
    if (appeared) {
      tookLast.set(step, Date.now() - started);
      return first.text;
    }
  }
  if (usual && candidates.length > 0) {
    const any = candidates.map((c) => c.locator).reduce((a, b) => a.or(b));
    await any
      .filter({ visible: true })
      .first()
      .waitFor({ state: 'attached', timeout: Math.max(1, deadline - Date.now()) })
      .catch((e: unknown) => {
        if (!isTimeout(e)) throw e;
      });
  }
  let seen = 0;
  for (;;) {
    for (const [index, c] of candidates.entries()) {
      const n = await countMatching(c.locator, filter, plain);
      if (n >= 0 && holds(n)) {
        if (usual) foundAt(step, index);
        if (usual && index === 0) tookLast.set(step, Date.now() - started);
        return c.text;
      }
      seen = Math.max(seen, n);
    }
    if (signal.aborted) throw signal.reason;
    if (Date.now() >= deadline) {
      const what = `${operator} ${count}${filter.visible ? ' visible' : ''} element(s) matching ${JSON.stringify(candidates[0]?.text ?? '')}`;
      throw new StepFailure('assertion-failed', `expected ${what} within ${timeoutMs} ms; found ${Math.max(0, seen)}`, true);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

/** How many elements a candidate matches under the step's filter; -1 while it cannot tell. */
function countMatching(locator: Locator, filter: Filter, plain: boolean): Promise<number> {
  if (plain) return (filter.visible ? locator.filter({ visible: true }) : locator).count().catch(() => -1);
  return locator
    .evaluateAll(
      (els, f: Filter) =>
        els.filter(
          (el) =>
            (!f.visible || el.checkVisibility({ visibilityProperty: true })) &&
            Object.entries(f.properties).every(([k, v]) => JSON.stringify((el as unknown as Record<string, unknown>)[k]) === JSON.stringify(v)) &&
            Object.entries(f.attributes).every(([k, v]) => el.getAttribute(k) === v),
        ).length,
      filter,
    )
    .catch(() => -1);
}
