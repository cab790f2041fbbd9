// Step executors: what each step type does in one person's browser. The one switch over step
// types lives here and ends in assertNever, so a new type fails to compile until it is handled.
import { resolve } from 'node:path';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { errors } from './playwright.js';
import { assertNever, type Selector, type Step, type StepOf } from '../../../schema/index.js';
import { asRegExp, emailBodyText, pickLink } from '../mail/links.js';
import type { Mailbox, ReceivedEmail } from '../mail/mailbox.js';
import { isTimeout, StepFailure } from './failure.js';
import { firstCandidateWait, firstRole, firstStale, foundAt, tookLast } from './first-candidate.js';
import { findElement, findFrame, isRolelessAria, roleOf, selectorText, toLocator, withRole } from './locate.js';
import { checkLanding, describeAddress, expectedLanding } from './landing.js';
import { emulateNetwork } from './network.js';
import type { NetworkWatch } from './network-watch.js';
import type { UrlPolicy } from './urls.js';
import { expand, type VariableScope } from './variables.js';
import { waitForElementStep } from './wait-for-element.js';

export interface PersonSession {
  context: BrowserContext;
  page: Page;
  watch: NetworkWatch;
  sink: Mailbox;
  urls: UrlPolicy;
  scope: VariableScope;
  signal: AbortSignal;
  startedAt: number;
  /** When the previous step ended: an email's latency is counted from here. */
  previousStepEndedAt: number;
  lastEmail: ReceivedEmail | null;
  emailTimeoutMs: number;
  /** Folder that file-upload paths in `change` steps are relative to. */
  fixturesDir: string;
  /** Set by a step that found its element: which selector candidate matched. */
  matchedSelector: string | null;
  /** Set by a step whose duration is not its wall time (waitForEmail: send-to-receive latency). */
  measuredMs: number | null;
  /** How long the person's last input or page load took: how slowly their page answers now. */
  paceMs: number;
}

const MOUSE_BUTTONS = { primary: 'left', auxiliary: 'middle', secondary: 'right', back: 'left', forward: 'left' } as const;

/** The page a step runs in: the main page, or the popup whose URL the step names as `target`. */
async function pageFor(s: PersonSession, step: Step, timeoutMs: number): Promise<Page> {
  if (!step.target || step.target === 'main') return s.page;
  const wanted = new URL(s.urls.rewrite(expand(step.target, s.scope)));
  const matches = (p: Page): boolean => {
    try {
      const u = new URL(p.url());
      return u.origin === wanted.origin && u.pathname === wanted.pathname;
    } catch {
      return false;
    }
  };
  // A popup opens as about:blank and navigates after: look until one of the pages is there.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = s.context.pages().find(matches);
    if (open) return open;
    if (Date.now() >= deadline) throw new StepFailure('selector-not-found', `no window with URL ${wanted.href} opened within ${timeoutMs} ms`, true);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function frameFor(s: PersonSession, step: Step, timeoutMs: number): Promise<{ page: Page; frame: Frame }> {
  const page = await pageFor(s, step, timeoutMs);
  return { page, frame: await findFrame(page, step.frame, timeoutMs) };
}

function checkDocumentStatus(s: PersonSession): void {
  const status = s.watch.lastDocumentStatus;
  if (status !== null && status >= 400) {
    const where = s.watch.lastDocument ?? 'the page';
    throw new StepFailure('http-error', `${where} answered ${status}`);
  }
}

/** The page's own answer first (an error status), then whether it is the page the recording landed on. */
async function checkArrival(s: PersonSession, page: Page, step: Step, remainingMs: number): Promise<void> {
  checkDocumentStatus(s);
  const expected = expectedLanding(step);
  if (expected) await checkLanding(page, expected, remainingMs);
}

/**
 * The page's main frame navigating, within `timeoutMs`; rejects as Playwright's own wait would
 * (a TimeoutError, or the page closing). A plain listener rather than `page.waitForEvent`: one
 * Playwright call less per navigation, each of which captures and parses a stack trace.
 */
function mainFrameNavigation(page: Page, timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => undefined;
  const promise = new Promise<void>((resolve, reject) => {
    const done = (settle: () => void): void => {
      cancel();
      settle();
    };
    const onNavigated = (frame: Frame): void => {
      if (frame === page.mainFrame()) done(resolve);
    };
    const onClose = (): void => done(() => reject(new Error('the page closed while waiting for it to navigate')));
    const timer = setTimeout(() => done(() => reject(new errors.TimeoutError(`Timeout ${timeoutMs}ms exceeded while waiting for event "framenavigated"`))), timeoutMs);
    page.on('framenavigated', onNavigated);
    page.once('close', onClose);
    cancel = () => {
      clearTimeout(timer);
      page.off('framenavigated', onNavigated);
      page.off('close', onClose);
    };
  });
  promise.catch(() => undefined); // the action may fail first; its error is the one reported
  return { promise, cancel };
}

/** Whether the step waits for the new page its action causes (and checks where it landed). */
const assertsNavigation = (step: Step): boolean => !!step.assertedEvents?.some((e) => e.type === 'navigation');

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
const pageAt = (url: string): string => `the page ${describeAddress(new URL(url))}`;

/** A wait of the step's that ran out, as a timeout naming what never came and the step's whole time. */
function outOfTime(what: (error: Error) => string, statedMs: number): (error: unknown) => never {
  return (error) => {
    throw isTimeout(error) ? new StepFailure('timeout', `${what(error as Error)} within the step's ${seconds(statedMs)}`, true) : error;
  };
}

/**
 * Runs an action; when the step asserts a navigation, waits for it and checks where it led.
 * Running out of time while waiting says for what — no new page, or a page that never finished
 * loading — and the step's whole time (`statedMs`), not what was left of it.
 */
async function withNavigation(s: PersonSession, page: Page, step: Step, timeoutMs: number, action: () => Promise<unknown>, statedMs = timeoutMs): Promise<void> {
  if (!assertsNavigation(step)) {
    await action();
    return;
  }
  const started = Date.now();
  const navigated = mainFrameNavigation(page, timeoutMs);
  try {
    await action();
    await navigated.promise.catch(outOfTime(() => 'no new page came', statedMs));
  } finally {
    navigated.cancel();
  }
  await page
    .waitForLoadState('load', { timeout: Math.max(1, timeoutMs - (Date.now() - started)) })
    .catch(outOfTime(() => `${pageAt(page.url())} did not finish loading (no load event)`, statedMs));
  await checkArrival(s, page, step, Math.max(1, timeoutMs - (Date.now() - started)));
}

/** Playwright's call log once it has started sending the input: the action may have taken effect. */
const INPUT_SENT = /performing [\w ]+ action/;

/**
 * Whether a step may act on its first candidate before knowing it matches. Setting a value twice
 * is harmless, so a `change` cut short can be retried elsewhere. A click is retried only when
 * Playwright's log shows it was never sent; one that was sent and cut short while the page took
 * it is waited for instead (the new page it asked for, or the page answering again).
 */
const goesStraight = (step: Step): boolean => step.type === 'change' || step.type === 'click';

/**
 * Waits, within `timeoutMs`, until the frame answers again: a round trip into the page, queued
 * behind the input it is still handling.
 */
const answers = (frame: Frame, timeoutMs: number): Promise<void> => frame.locator(':root').waitFor({ state: 'attached', timeout: timeoutMs });

/**
 * What a step acts on straight away: its first candidate — for an `aria/Name` candidate without a
 * role, narrowed to the role its element has, which the first person to get there learns (within
 * `waitMs`) for the people after: one role is a third of the lookup of all 18.
 */
async function straightTo(step: Step, frame: Frame, first: Selector, waitMs: number): Promise<{ element: Locator; narrowed: boolean }> {
  const asRecorded = toLocator(frame, first).first();
  if (!isRolelessAria(first)) return { element: asRecorded, narrowed: false };
  let role = firstRole.get(step);
  if (role === undefined) {
    firstRole.set(step, null);
    role = await roleOf(asRecorded, waitMs);
    if (role) firstRole.set(step, role);
    else firstRole.delete(step);
  }
  return role ? { element: toLocator(frame, withRole(first, role)).first(), narrowed: true } : { element: asRecorded, narrowed: false };
}

/** Finds the step's element, then acts on it within what is left of the step's time. */
async function onElement(
  s: PersonSession,
  step: StepOf<'click' | 'doubleClick' | 'hover' | 'change'>,
  timeoutMs: number,
  act: (element: Locator, remainingMs: number) => Promise<unknown>,
): Promise<void> {
  const started = Date.now();
  const { page, frame } = await frameFor(s, step, timeoutMs);
  const remaining = (): number => Math.max(1, timeoutMs - (Date.now() - started));
  await withNavigation(s, page, step, remaining(), async () => {
    const first = step.selectors[0];
    if (first && goesStraight(step) && !firstStale.has(step)) {
      const acting = Date.now();
      const wait = firstCandidateWait(step, remaining(), s.paceMs);
      const { element, narrowed } = await straightTo(step, frame, first, wait);
      try {
        await act(element, Math.max(1, wait - (Date.now() - acting)));
        tookLast.set(step, Date.now() - acting);
        s.matchedSelector = selectorText(first);
        return;
      } catch (error) {
        if (!isTimeout(error)) throw error;
        // Sent, and cut short while Playwright waited for the page to take it: the navigation
        // wait that follows (withNavigation) is the step's, or, for a step that waits for none,
        // the page answering again within the step's time. There but not ready (covered,
        // disabled): wait on it, as the probe would have. Not there (yet): look through every
        // candidate, in order, for the time that is left.
        const sent = INPUT_SENT.test((error as Error).message);
        const there = sent || (await element.count().catch(() => 0)) > 0;
        // Not under the role it had: the element changed; the search below asks under every role.
        if (narrowed && !there) firstRole.delete(step);
        if (there) {
          if (!sent) {
            await act(element, remaining()).catch(notTaken(step, selectorText(first), timeoutMs));
            tookLast.set(step, Date.now() - acting);
          } else if (!assertsNavigation(step)) {
            await answers(frame, remaining()).catch(outOfTime(() => `sent the ${ACTIONS[step.type]} to ${JSON.stringify(selectorText(first))}, but the page did not finish taking it`, timeoutMs));
          }
          s.matchedSelector = selectorText(first);
          return;
        }
      }
    }
    const found = await findElement(frame, step.selectors, remaining(), s.signal, timeoutMs);
    s.matchedSelector = found.matched;
    foundAt(step, found.index);
    await act(found.locator, remaining()).catch(notTaken(step, found.matched, timeoutMs));
  }, timeoutMs);
}

const ACTIONS = { click: 'click', doubleClick: 'double click', hover: 'hover', change: 'new value' } as const;

/**
 * An element that never took the step's action in time (covered, disabled, moving, or a page too
 * busy to answer) — or took it, and the page it asked for never came: Playwright's call log says
 * which, and a person whose click was sent is not reported as one whose click was refused.
 */
const notTaken = (step: StepOf<'click' | 'doubleClick' | 'hover' | 'change'>, matched: string, statedMs: number) =>
  outOfTime(
    (error) =>
      INPUT_SENT.test(error.message)
        ? `sent the ${ACTIONS[step.type]} to ${JSON.stringify(matched)}, but ${assertsNavigation(step) ? 'no new page came' : 'the page did not finish taking it'}`
        : `found ${JSON.stringify(matched)}, but it did not take the ${ACTIONS[step.type]}`,
    statedMs,
  );

function position(step: StepOf<'click' | 'doubleClick'>): { x: number; y: number } | undefined {
  return step.offsetX !== undefined && step.offsetY !== undefined ? { x: step.offsetX, y: step.offsetY } : undefined;
}

/** What Playwright's fill says of an element it cannot fill, and what changes its value instead. */
const NOT_FILLABLE: { error: RegExp; change: (s: PersonSession, element: Locator, value: string, timeoutMs: number) => Promise<unknown> }[] = [
  { error: /Element is not an <input>, <textarea> or \[contenteditable\] element/, change: selectValue }, // a <select>
  { error: /Input of type "(?:checkbox|radio)" cannot be filled/, change: (_s, el, v, t) => el.setChecked(v !== '' && v !== 'false' && v !== 'off', { timeout: t }) },
  { error: /Input of type "file" cannot be filled/, change: (s, el, v, t) => el.setInputFiles(v.split('\n').map((f) => resolve(s.fixturesDir, f)), { timeout: t }) },
];

/**
 * A select takes the option whose value or label is the step's value, in one call (Playwright's
 * string form matches both): a value recorded as a label does not first wait out the step's time
 * for an option with that value, and a busy page is asked once, not twice.
 */
async function selectValue(_s: PersonSession, element: Locator, value: string, timeoutMs: number): Promise<void> {
  await element.selectOption(value, { timeout: timeoutMs });
}

/**
 * How each `change` step's element took its value when it was not a text field, as the last
 * person found: the next people set it that way at once instead of being refused by a fill first.
 */
const settledAs = new WeakMap<Step, (typeof NOT_FILLABLE)[number]['change']>();

/**
 * A `change` step: most elements are text fields, so fill first; Playwright refuses at once,
 * naming the element's kind, when it is a select, a checkbox or radio, or a file input, and the
 * value is then set the way that kind takes it (and remembered for the step). One call in the
 * usual case, no guess beforehand. An element whose kind changed since (any refusal that is not
 * a timeout) is found out again the same way.
 */
async function changeValue(s: PersonSession, step: Step, element: Locator, value: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const remaining = (): number => Math.max(1, timeoutMs - (Date.now() - started));
  const known = settledAs.get(step);
  if (known) {
    try {
      await known(s, element, value, timeoutMs);
      return;
    } catch (error) {
      if (isTimeout(error)) throw error;
      settledAs.delete(step);
    }
  }
  try {
    await element.fill(value, { timeout: remaining() });
  } catch (error) {
    const other = NOT_FILLABLE.find((k) => k.error.test((error as Error).message));
    if (!other) throw error;
    settledAs.set(step, other.change);
    await other.change(s, element, value, remaining());
  }
}

async function navigate(s: PersonSession, step: Step, rawUrl: string, timeoutMs: number): Promise<void> {
  const url = s.urls.rewrite(rawUrl);
  s.urls.assertAllowed(url);
  const started = Date.now();
  const page = await pageFor(s, step, timeoutMs);
  await page.goto(url, { timeout: timeoutMs, waitUntil: 'load' }).catch(outOfTime(() => `${pageAt(url)} did not finish loading (no load event)`, timeoutMs));
  await checkArrival(s, page, step, Math.max(1, timeoutMs - (Date.now() - started)));
}

function subjectMatcher(subject: string | undefined): ((s: string) => boolean) | undefined {
  if (!subject) return undefined;
  const regex = asRegExp(subject);
  if (regex) return (s) => regex.test(s);
  const lower = subject.toLowerCase();
  return (s) => s.toLowerCase().includes(lower);
}

async function waitForEmail(s: PersonSession, step: StepOf<'waitForEmail'>): Promise<void> {
  const mail = await s.sink.waitFor(expand(step.to, s.scope), {
    since: s.startedAt,
    afterId: s.lastEmail?.id ?? 0,
    subject: subjectMatcher(step.subject && expand(step.subject, s.scope)),
    timeoutMs: step.timeout ?? s.emailTimeoutMs,
    signal: s.signal,
  });
  s.lastEmail = mail;
  s.measuredMs = Math.max(0, mail.receivedAt - s.previousStepEndedAt);
}

function lastEmail(s: PersonSession): ReceivedEmail {
  if (!s.lastEmail) throw new StepFailure('assertion-failed', 'no email has been received yet');
  return s.lastEmail;
}

async function openEmailLink(s: PersonSession, step: StepOf<'openEmailLink'>, timeoutMs: number): Promise<void> {
  const mail = lastEmail(s);
  const wanted = step.link && expand(step.link, s.scope);
  const link = pickLink(mail.links, wanted);
  if (!link) {
    const seen = mail.links.map((l) => JSON.stringify(l.text)).join(', ') || 'none';
    throw new StepFailure('assertion-failed', `no link ${wanted ? JSON.stringify(wanted) : ''} in the email "${mail.subject}" (links: ${seen})`);
  }
  await navigate(s, step, link.url, timeoutMs);
}

function extractFromEmail(s: PersonSession, step: StepOf<'extractFromEmail'>): void {
  const mail = lastEmail(s);
  const match = new RegExp(step.pattern).exec(emailBodyText(mail));
  if (!match?.[1]) throw new StepFailure('assertion-failed', `the pattern ${step.pattern} found nothing in the email "${mail.subject}"`);
  s.scope.extracted.set(step.as, match[1]);
}

export async function runStep(s: PersonSession, step: Step, timeoutMs: number): Promise<void> {
  switch (step.type) {
    case 'navigate':
      return navigate(s, step, expand(step.url, s.scope), timeoutMs);
    case 'click':
      return onElement(s, step, timeoutMs, (el, t) =>
        el.click({ position: position(step), button: MOUSE_BUTTONS[step.button ?? 'primary'], delay: step.duration, timeout: t }),
      );
    case 'doubleClick':
      return onElement(s, step, timeoutMs, (el, t) =>
        el.dblclick({ position: position(step), button: MOUSE_BUTTONS[step.button ?? 'primary'], timeout: t }),
      );
    case 'hover':
      return onElement(s, step, timeoutMs, (el, t) => el.hover({ timeout: t }));
    case 'change':
      return onElement(s, step, timeoutMs, (el, t) => changeValue(s, step, el, expand(step.value, s.scope), t));
    case 'keyDown':
    case 'keyUp': {
      const page = await pageFor(s, step, timeoutMs);
      return withNavigation(s, page, step, timeoutMs, () =>
        step.type === 'keyDown' ? page.keyboard.down(step.key) : page.keyboard.up(step.key),
      );
    }
    case 'scroll': {
      const { frame } = await frameFor(s, step, timeoutMs);
      const to = { x: step.x ?? 0, y: step.y ?? 0 };
      if (step.selectors?.length) {
        const found = await findElement(frame, step.selectors, timeoutMs, s.signal);
        s.matchedSelector = found.matched;
        await found.locator.evaluate((el, p) => el.scrollTo(p.x, p.y), to, { timeout: timeoutMs });
      } else {
        await frame.evaluate((p) => window.scrollTo(p.x, p.y), to);
      }
      return;
    }
    case 'setViewport': {
      // A person's context already opens at the scenario's first viewport (person.ts).
      const page = await pageFor(s, step, timeoutMs);
      const now = page.viewportSize();
      if (now?.width === step.width && now.height === step.height) return;
      return page.setViewportSize({ width: step.width, height: step.height });
    }
    case 'waitForElement': {
      const { frame } = await frameFor(s, step, timeoutMs);
      s.matchedSelector = await waitForElementStep(frame, step, timeoutMs, s.signal, s.paceMs);
      return;
    }
    case 'waitForExpression': {
      const { frame } = await frameFor(s, step, timeoutMs);
      await frame.waitForFunction(step.expression, undefined, { timeout: timeoutMs, polling: 100 }).catch((e: Error) => {
        throw isTimeout(e)
          ? new StepFailure('assertion-failed', `${step.expression} stayed false for ${timeoutMs} ms`, true)
          : e;
      });
      return;
    }
    case 'close':
      return (await pageFor(s, step, timeoutMs)).close();
    case 'customStep':
      // Chrome's replayer skips custom steps it has no extension for; so does Turnout. (Turnout's
      // own steps exported as customStep were turned back into themselves by parseScenario.)
      return;
    case 'emulateNetworkConditions': {
      // The person's own session: the step's conditions replace their cohort's from here on.
      return emulateNetwork(s.context, await pageFor(s, step, timeoutMs), {
        offline: step.download === 0 && step.upload === 0,
        latency: step.latency,
        downloadThroughput: step.download,
        uploadThroughput: step.upload,
      });
    }
    case 'waitForEmail':
      return waitForEmail(s, step);
    case 'openEmailLink':
      return openEmailLink(s, step, timeoutMs);
    case 'extractFromEmail':
      return extractFromEmail(s, step);
    default:
      return assertNever(step, 'step');
  }
}
