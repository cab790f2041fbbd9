// The content script, in every frame: turns what the person does (trusted events only, seen in
// the capture phase before the page's own handlers change the DOM) into captured actions for
// the service worker. Personal values never leave the page: identity fields are sent as their
// kind, and a password is never read at all.
import type { Selector } from '../../../schema/scenario.js';
import type { CapturedAction, EndCheck, RecorderState } from '../shared/messages.js';
import { identityHashes, mentions, valueHash } from '../shared/scrub.js';
import { fieldKind } from './fields.js';
import { hoverAncestor } from './hover.js';
import { selectorsFor } from './selectors.js';

/** Scroll events arrive by the dozen; one step per element after this quiet time. */
const SCROLL_SETTLE_MS = 400;
const RECORDED_KEYS = new Set(['Enter', 'Tab', 'Escape']);
const TEXT_INPUT = /^(text|email|tel|url|search|number|password|date|datetime-local|month|week|time)$/;

let state: RecorderState | null = null;
/** The control a label click is about to be forwarded to. */
let forwardedTo: Element | null = null;
const committed = new WeakMap<Element, string>();
const scrollTimers = new WeakMap<Element, number>();

const active = (): boolean => Boolean(state?.recording && !state.paused);

function framePath(): number[] {
  const path: number[] = [];
  let w: Window = window;
  while (w !== w.parent) {
    const parent: Window = w.parent;
    let index = -1;
    for (let i = 0; i < parent.frames.length; i++) if (parent.frames[i] === w) index = i;
    path.unshift(index);
    w = parent;
  }
  return path;
}

/** Drops selector candidates and assertion texts that mention the person (their name, mailbox). */
function scrubbed(action: CapturedAction): CapturedAction {
  const hashes = new Set(state?.scrub ?? []);
  if (hashes.size === 0 || !('selectors' in action)) return action;
  const keep = (selectors: Selector[]): Selector[] => selectors.filter((s) => !mentions(JSON.stringify(s), hashes));
  const out = { ...action, selectors: keep(action.selectors) };
  if (out.kind === 'assert' && out.text && mentions(out.text, hashes)) out.text = null;
  if ((out.kind === 'click' || out.kind === 'doubleClick') && out.hover) out.hover = keep(out.hover);
  return out;
}

function send(action: CapturedAction): void {
  action = scrubbed(action);
  void chrome.runtime.sendMessage({ type: 'content:action', payload: action }).catch(() => undefined);
}

/** The element really acted on, inside open shadow roots too. */
const targetOf = (event: Event): Element | null => {
  const t = event.composedPath()[0];
  return t instanceof Element ? t : null;
};

function valueAction(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): CapturedAction | null {
  if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return null; // its click is the step
  const secret = el instanceof HTMLInputElement && el.type === 'password';
  const file = el instanceof HTMLInputElement && el.type === 'file';
  // A value typed before as an identity field is that field again, whatever this field's label
  // says: the username typed into "Username or email" at sign-in is {{user.username}}.
  const hash = secret || file || !el.value.trim() ? null : valueHash(el.value);
  const field = (hash ? state?.typed[hash] : undefined) ?? fieldKind(el);
  let value = '';
  if (file) value = [...(el.files ?? [])].map((f) => f.name).join('\n');
  else if (!field) value = el.value; // identity values stay here: only their kind is sent
  const scrub = field && !secret ? identityHashes(el.value, field) : [];
  return { kind: 'change', selectors: selectorsFor(el), frame: framePath(), value, field, scrub, valueHash: field && hash ? hash : null };
}

function commit(el: Element): void {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) return;
  if (committed.get(el) === el.value) return;
  committed.set(el, el.value);
  const action = valueAction(el);
  if (action) send(action);
}

function onClick(event: MouseEvent): void {
  if (!active() || !event.isTrusted) return;
  const el = targetOf(event);
  if (!el) return;
  if (state?.mode === 'assert') {
    // Assert mode: the click adds a check instead of acting on the page.
    event.preventDefault();
    event.stopImmediatePropagation();
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    send({ kind: 'assert', selectors: selectorsFor(el), frame: framePath(), text: text && text.length <= 80 ? text : null });
    return;
  }
  if (el instanceof HTMLSelectElement || el instanceof HTMLOptionElement) return; // the change is the step
  // The browser forwards a click on a label to its control. One step: the control's selectors
  // first (a name a person reads), the label's as fallbacks (for controls styled out of sight).
  if (forwardedTo && el === forwardedTo) {
    forwardedTo = null;
    return;
  }
  const control = el instanceof HTMLLabelElement ? el.control : null;
  if (control) forwardedTo = control;
  const rect = (control ?? el).getBoundingClientRect();
  // The offset is relative to the first selector's element: the control's middle when the
  // person clicked its label (a point on the label may lie outside the control).
  const x = control ? rect.width / 2 : event.clientX - rect.left;
  const y = control ? rect.height / 2 : event.clientY - rect.top;
  const hovered = hoverAncestor(el);
  send({
    kind: event.detail === 2 ? 'doubleClick' : 'click',
    selectors: control ? [...selectorsFor(control), ...selectorsFor(el)] : selectorsFor(el),
    frame: framePath(),
    offsetX: Math.round(x),
    offsetY: Math.round(y),
    hover: hovered ? selectorsFor(hovered) : null,
  });
}

function onKey(event: KeyboardEvent): void {
  if (!active() || !event.isTrusted || !RECORDED_KEYS.has(event.key)) return;
  const el = targetOf(event);
  // Enter submits before the field's change event fires: record the typed value first.
  if (event.type === 'keydown' && el instanceof HTMLInputElement && TEXT_INPUT.test(el.type)) commit(el);
  send({ kind: event.type === 'keydown' ? 'keyDown' : 'keyUp', key: event.key, frame: framePath() });
}

function onScroll(event: Event): void {
  if (!active() || !event.isTrusted) return;
  const el = event.target;
  // The page itself scrolls on replay as Playwright brings elements into view; inner
  // scrollable panes (lists that load more) do not.
  if (!(el instanceof Element) || el === document.scrollingElement) return;
  // A text field scrolls its own text as the person types past its width, and back on blur; a
  // read-only text area (terms to scroll through before "I agree") is scrolled by the person.
  if (el instanceof HTMLInputElement || (el instanceof HTMLTextAreaElement && !el.readOnly)) return;
  clearTimeout(scrollTimers.get(el));
  scrollTimers.set(
    el,
    window.setTimeout(() => send({ kind: 'scroll', selectors: selectorsFor(el), frame: framePath(), x: Math.round(el.scrollLeft), y: Math.round(el.scrollTop) }), SCROLL_SETTLE_MS),
  );
}

window.addEventListener('click', onClick, true);
window.addEventListener('keydown', onKey, true);
window.addEventListener('keyup', onKey, true);
window.addEventListener('scroll', onScroll, true);
window.addEventListener('focusin', (e) => {
  const el = targetOf(e);
  if (el && 'value' in el && !committed.has(el)) committed.set(el, (el as HTMLInputElement).value);
}, true);
window.addEventListener('change', (e) => {
  if (active() && e.isTrusted) {
    const el = targetOf(e);
    if (el) commit(el);
  }
}, true);

/** Longest heading text an end check waits for: longer ones change with the content. */
const MAX_END_TEXT_LENGTH = 80;

/** Where the most telling words of a page are, most telling first. */
const HEADINGS = ['h1, [role=heading][aria-level="1"]', 'h2', 'h3', '[role=heading]', '[role=status]'];

/** Visible heading texts that could be an end check: no digits (confirmation numbers, counts), not too long. */
function headings(): { el: Element; text: string }[] {
  const seen = new Set<Element>();
  const ranked = HEADINGS.flatMap((css) => [...document.querySelectorAll(css)]).filter((el) => !seen.has(el) && seen.add(el));
  return ranked.flatMap((el) => {
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    const visible = el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const usable = visible && text.length >= 2 && text.length <= MAX_END_TEXT_LENGTH && !/\d/.test(text);
    return usable ? [{ el, text }] : [];
  });
}

/** What the page said when it had loaded: a heading that appeared after is what the person's actions did. */
let headingsAtLoad = new Set<string>();
window.addEventListener('load', () => (headingsAtLoad = new Set(headings().map((h) => h.text))));

/**
 * The last page's most telling stable words: a heading (or status) that appeared after the page
 * loaded — "Thanks for joining" on a page that never navigates — else its main heading; never
 * the person's own words.
 */
function endCheck(): EndCheck | null {
  const hashes = new Set(state?.scrub ?? []);
  const usable = headings().filter((h) => !mentions(h.text, hashes));
  const pick = usable.find((h) => !headingsAtLoad.has(h.text)) ?? usable.find((h) => h.el.getAttribute('role') !== 'status');
  if (!pick) return null;
  // A heading is named by its text; a status region is not (its text is found as text).
  const named = pick.el.getAttribute('role') === 'status' ? [] : [[`aria/${pick.text}[role="heading"]`]];
  const candidates = [...named, [`text/${pick.text}`], ...selectorsFor(pick.el).filter((s) => !mentions(JSON.stringify(s), hashes))];
  return { text: pick.text, selectors: [...new Map(candidates.map((c) => [JSON.stringify(c), c])).values()] };
}

chrome.runtime.onMessage.addListener((message: { type: string; payload?: unknown }, _sender, reply) => {
  if (message.type === 'state') state = message.payload as RecorderState;
  if (message.type === 'endCheck?' && window === window.top) reply(endCheck());
  if (message.type === 'viewport?' && window === window.top) {
    reply({ width: window.innerWidth, height: window.innerHeight, url: location.href, title: document.title });
  }
  return false;
});

void chrome.runtime
  .sendMessage({ type: 'content:hello', payload: null })
  .then((reply: { ok: boolean; value?: RecorderState } | undefined) => {
    if (reply?.ok && reply.value) state = reply.value;
  })
  .catch(() => undefined);
