// The recording itself: captured actions and navigations become steps. The service worker can
// die between any two events, so the recorder state lives in chrome.storage.session and the
// steps in IndexedDB; nothing is kept in module variables but a write queue.
import type { Selector, Step } from '../../../schema/scenario.js';
import type { CapturedAction, EmailStepRequest, EndCheck, FieldKind, RecorderMode, RecorderState } from '../shared/messages.js';
import { assertNever } from '../../../schema/never.js';
import { mentions } from '../shared/scrub.js';
import { createRecording, getRecording, updateRecording } from './store.js';

/** A navigation this soon after a click or key press is what that action caused. */
const CAUSED_NAVIGATION_MS = 5000;

const IDLE: RecorderState = { recording: false, paused: false, mode: 'record', recordingId: null, tabId: null, steps: 0, awaitingEmailLink: false, scrub: [], typed: {} };

/** What reports call the check appended when recording stops. */
export const END_CHECK = { name: 'end-page', title: 'reached the end page' } as const;

interface Session extends RecorderState {
  lastActionAt: number;
  /** Patterns of extractFromEmail steps: a later typed value matching one becomes its variable. */
  extractions: { capture: string; as: string }[];
}

export async function readState(): Promise<Session> {
  const { recorder } = await chrome.storage.session.get('recorder');
  return { ...IDLE, lastActionAt: 0, extractions: [], ...(recorder as Partial<Session> | undefined) };
}

async function writeState(session: Session): Promise<RecorderState> {
  await chrome.storage.session.set({ recorder: session });
  const { lastActionAt: _a, extractions: _e, ...state } = session;
  if (session.tabId !== null) void chrome.tabs.sendMessage(session.tabId, { type: 'state', payload: state }).catch(() => undefined);
  return state;
}

export const publicState = async (): Promise<RecorderState> => {
  const { lastActionAt: _a, extractions: _e, ...state } = await readState();
  return state;
};

// Steps are appended in the order events arrive: one write at a time.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  return next;
}

async function edit(change: (steps: Step[], session: Session) => void): Promise<RecorderState> {
  const session = await readState();
  if (!session.recordingId) return writeState(session);
  const updated = await updateRecording(session.recordingId, (r) => change(r.scenario.steps, session));
  session.steps = updated?.scenario.steps.length ?? 0;
  return writeState(session);
}

export function start(tabId: number, page: { url: string; title: string; width: number; height: number }): Promise<RecorderState> {
  return serial(async () => {
    const steps: Step[] = [
      { type: 'setViewport', width: page.width, height: page.height, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: false },
      { type: 'navigate', url: page.url, assertedEvents: [{ type: 'navigation', url: page.url, title: page.title }] },
    ];
    const recording = await createRecording({ title: `${page.title || 'Recording'} ${new Date().toLocaleString()}`, steps });
    return writeState({ ...IDLE, recording: true, recordingId: recording.id, tabId, steps: steps.length, lastActionAt: Date.now(), extractions: [] });
  });
}

export function stop(): Promise<string | null> {
  return serial(async () => {
    const session = await readState();
    await writeState({ ...IDLE, tabId: session.tabId, lastActionAt: 0, extractions: [] });
    return session.recordingId;
  });
}

export const setPaused = (paused: boolean) => serial(async () => writeState({ ...(await readState()), paused }));
export const setMode = (mode: RecorderMode) => serial(async () => writeState({ ...(await readState()), mode }));

const same = (a: Selector[], b: Selector[]): boolean => JSON.stringify(a[0]) === JSON.stringify(b[0]);
const withFrame = (frame: number[]) => (frame.length ? { frame } : {});

function valueOf(action: Extract<CapturedAction, { kind: 'change' }>, session: Session): string {
  if (action.field) {
    // The first field a value was typed into names it: typed again, it is the same variable.
    if (action.valueHash) session.typed = { [action.valueHash]: action.field, ...session.typed };
    return `{{user.${session.typed[action.valueHash ?? ''] ?? (action.field satisfies FieldKind)}}}`;
  }
  const extracted = session.extractions.find((e) => new RegExp(`^(?:${e.capture})$`).test(action.value));
  return extracted ? `{{${extracted.as}}}` : action.value;
}

export function addAction(action: CapturedAction): Promise<RecorderState> {
  return serial(() =>
    edit((steps, session) => {
      if (!session.recording || session.paused) return;
      const last = steps.at(-1);
      // How long the person paused before acting (reading, thinking): replayed with --think recorded.
      const pauseMs = session.lastActionAt ? Math.round((Date.now() - session.lastActionAt) / PAUSE_ROUNDING_MS) * PAUSE_ROUNDING_MS : 0;
      session.lastActionAt = Date.now();
      const before = steps.length;
      record(action, steps, session, last);
      if (steps.length > before && pauseMs > 0) steps[before]!.pauseMs = Math.min(pauseMs, MAX_PAUSE_MS);
    }),
  );
}

/** Recorded pauses are rounded to this, and capped (a person who left for lunch is not a pause). */
const PAUSE_ROUNDING_MS = 100;
const MAX_PAUSE_MS = 600_000;

/** The step(s) one captured action adds to the recording, or how it changes the last one. */
function record(action: CapturedAction, steps: Step[], session: Session, last: Step | undefined): void {
  switch (action.kind) {
    case 'click':
    case 'doubleClick': {
      if (action.kind === 'doubleClick' && last?.type === 'click' && same(last.selectors, action.selectors)) {
        // The browser reports click, click, dblclick on the same element, the dblclick carrying
        // its own double-click timing (the system's): the two clicks before it become one
        // doubleClick. No window of our own is needed.
        const before = steps.at(-2);
        if (before?.type === 'click' && same(before.selectors, action.selectors)) steps.pop();
        steps.pop();
      }
      if (action.hover) steps.push({ type: 'hover', target: 'main', selectors: action.hover, ...withFrame(action.frame) });
      steps.push({ type: action.kind, target: 'main', selectors: action.selectors, offsetX: action.offsetX, offsetY: action.offsetY, ...withFrame(action.frame) });
      return;
    }
    case 'change': {
      const value = valueOf(action, session);
      session.scrub = [...new Set([...session.scrub, ...action.scrub])];
      // Several changes of one field in a row (arrow keys in a select) are one step.
      if (last?.type === 'change' && same(last.selectors, action.selectors)) last.value = value;
      else steps.push({ type: 'change', target: 'main', selectors: action.selectors, value, ...withFrame(action.frame) });
      return;
    }
    case 'keyDown':
    case 'keyUp':
      steps.push({ type: action.kind, target: 'main', key: action.key, ...withFrame(action.frame) });
      return;
    case 'scroll':
      if (last?.type === 'scroll' && last.selectors && same(last.selectors, action.selectors)) Object.assign(last, { x: action.x, y: action.y });
      else steps.push({ type: 'scroll', target: 'main', selectors: action.selectors, x: action.x, y: action.y, ...withFrame(action.frame) });
      return;
    case 'assert':
      steps.push({
        type: 'waitForElement',
        target: 'main',
        selectors: action.text
          ? [[`text/${action.text}`], ...action.selectors.filter((s) => JSON.stringify(s) !== JSON.stringify([`text/${action.text}`]))]
          : action.selectors,
        visible: true,
        ...withFrame(action.frame),
      });
      return;
    default:
      assertNever(action, 'captured action');
  }
}

/** A word or path segment that held the person's data, in a recorded title or address. */
const PERSONAL = '*';

/**
 * Where an action led, as the recording keeps it: the path and the names of the query
 * parameters, never their values (`?email=…`, tokens); a path segment that mentions the person
 * becomes `*`. Replay compares the landing page with this (server/src/engine/landing.ts).
 */
function landingAddress(url: string, scrub: ReadonlySet<string>): string {
  const u = new URL(url);
  const path = u.pathname
    .split('/')
    .map((segment) => (mentions(decodeURIComponent(segment), scrub) ? PERSONAL : segment))
    .join('/');
  const names = [...new Set(u.searchParams.keys())];
  return `${u.origin}${path}${names.length ? `?${names.join('&')}` : ''}`;
}

/** The landing page's title with the person's own words (their name) as `*`. */
function landingTitle(title: string, scrub: ReadonlySet<string>): string {
  return title.replace(/[\p{L}\p{N}]+/gu, (word) => (mentions(word, scrub) ? PERSONAL : word));
}

/** A top-level navigation of the recorded tab, with how Chrome says it came about. */
export function addNavigation(url: string, typed: boolean): Promise<RecorderState> {
  return serial(() =>
    edit((steps, session) => {
      if (!session.recording || session.paused) return;
      const address = landingAddress(url, new Set(session.scrub));
      if (typed && session.awaitingEmailLink) {
        // The person opened the link from the email: replay opens it from each person's inbox,
        // and checks it lands where this one did.
        session.awaitingEmailLink = false;
        const open = steps.findLast((s) => s.type === 'openEmailLink');
        if (open) open.assertedEvents = [{ type: 'navigation', url: address }];
        return;
      }
      const last = steps.at(-1);
      const caused = !typed && last && ['click', 'doubleClick', 'keyDown', 'keyUp', 'change'].includes(last.type) && Date.now() - session.lastActionAt < CAUSED_NAVIGATION_MS;
      if (caused && last) {
        // Chrome attaches the navigation to the key press, not to its release.
        const target = last.type === 'keyUp' && steps.at(-2)?.type === 'keyDown' ? steps.at(-2)! : last;
        target.assertedEvents = [{ type: 'navigation', url: address }];
      } else if (typed) {
        steps.push({ type: 'navigate', url, assertedEvents: [{ type: 'navigation', url: address }] });
      }
    }),
  );
}

/** The page a navigation landed on has loaded: its title goes on the step that led there. */
export function addLandingTitle(url: string, title: string): Promise<RecorderState> {
  return serial(() =>
    edit((steps, session) => {
      if (!session.recording || !title) return;
      const scrub = new Set(session.scrub);
      const address = landingAddress(url, scrub);
      const step = steps.findLast((s) => s.assertedEvents?.some((e) => e.type === 'navigation'));
      const event = step?.assertedEvents?.find((e) => e.type === 'navigation');
      if (event && event.url === address) event.title = landingTitle(title, scrub);
    }),
  );
}

/**
 * The end check appended when recording stops: the last page's heading must be there, so that
 * "passed" means the person reached the page the recording ended on, not only that the last
 * click happened.
 */
export function addEndCheck(check: EndCheck | null): Promise<RecorderState> {
  return serial(() =>
    edit((steps, session) => {
      if (!check) return;
      const text = mentions(check.text, new Set(session.scrub)) ? null : check.text;
      if (!text) return;
      // A recording that ends with the person's own check already says where it ended.
      const last = steps.at(-1);
      if (last?.type === 'waitForElement' || last?.type === 'waitForExpression') return;
      steps.push({ type: 'waitForElement', ...END_CHECK, target: 'main', selectors: check.selectors, visible: true });
    }),
  );
}

/** The popup's "wait for email + open link" (or "+ extract code") at the current point. */
export function insertEmail(request: EmailStepRequest): Promise<RecorderState> {
  return serial(() =>
    edit((steps, session) => {
      steps.push({ type: 'waitForEmail', to: request.to ?? '{{user.email}}', ...(request.subject ? { subject: request.subject } : {}) });
      if (request.extract) {
        steps.push({ type: 'extractFromEmail', pattern: request.extract.pattern, as: request.extract.as });
        const capture = /\((?!\?)((?:\\.|[^()\\])*)\)/.exec(request.extract.pattern)?.[1];
        if (capture) session.extractions.push({ capture, as: request.extract.as });
      }
      if (request.link !== false) {
        steps.push({ type: 'openEmailLink', ...(request.link ? { link: request.link } : {}) });
        session.awaitingEmailLink = true;
      }
    }),
  );
}

export { getRecording };
