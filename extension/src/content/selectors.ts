// Selector candidates for the element a person acted on, best first, each checked unique on the
// live page at record time. Ranked by a table (test id, role + name, placeholder, heading-scoped
// XPath, text, id, CSS path) so that a replay survives redesigns, reordered cards and generated ids.
import type { Selector } from '../../../schema/scenario.js';
import { accessibleName, roleOf } from './accessibility.js';

const TEST_ID_ATTRIBUTES = ['data-testid', 'data-test', 'data-qa', 'data-cy'];

/** Lower is better. Equal scores keep the order they were found in. */
const SCORES = { testId: 1, role: 2, placeholder: 4, scoped: 5, text: 6, id: 7, css: 9 } as const;

/** Longest text used in a text/ or XPath candidate: longer texts change too often. */
const MAX_TEXT_LENGTH = 60;
const MAX_CSS_DEPTH = 6;

interface Candidate {
  selector: string;
  score: number;
}

const norm = (text: string | null | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();
const cssString = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** An id a framework made up (`:r3:`, `input-8f3a2c`, `ember123`) changes between page loads. */
export function looksGenerated(id: string): boolean {
  if (id.includes(':') || id.length > 40) return true; // React's useId (":r3:"), long hashes
  if (/\d{3,}/.test(id)) return true; // ember123, field-4711
  // A segment mixing letters and digits, as in "input-8f3a2c".
  return id.split(/[-_]/).some((seg) => seg.length >= 4 && /\d/.test(seg) && /[a-z]/i.test(seg));
}

type Root = Document | ShadowRoot;

/** Every element under a root, into open shadow roots too (what pierce/ and aria/ search). */
function* composedElements(root: Root | Element): Generator<Element> {
  const start = root instanceof Element ? [root] : [...root.children];
  const stack = start.reverse();
  while (stack.length) {
    const el = stack.pop()!;
    yield el;
    if (el.shadowRoot) stack.push(...[...el.shadowRoot.children].reverse());
    stack.push(...[...el.children].reverse());
  }
}

function countCss(root: Root, css: string): number {
  try {
    return root.querySelectorAll(css).length;
  } catch {
    return Infinity;
  }
}

function cssPath(el: Element, root: Root): string | null {
  const parts: string[] = [];
  let current: Element | null = el;
  for (let depth = 0; current && depth < MAX_CSS_DEPTH; depth++) {
    const tag = current.localName;
    const id = current.id && !looksGenerated(current.id) ? `#${CSS.escape(current.id)}` : '';
    let part = id || tag;
    const parent: Element | null = current.parentElement;
    if (!id && parent) {
      const same = [...parent.children].filter((c) => c.localName === tag);
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(current) + 1})`;
    }
    parts.unshift(part);
    const css = parts.join(' > ');
    if (countCss(root, css) === 1) return css;
    current = parent;
  }
  return null;
}

function xpathString(text: string): string | null {
  if (!text.includes('"')) return `"${text}"`;
  return text.includes("'") ? null : `'${text}'`;
}

function xpathCount(doc: Document, xpath: string, el: Element): boolean {
  try {
    const r = doc.evaluate(xpath, doc, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    return r.snapshotLength === 1 && r.snapshotItem(0) === el;
  } catch {
    return false;
  }
}

/**
 * Identical buttons in cards ("Select", "Select", "Select") told apart by their card's heading:
 * `//h3[normalize-space()="Gold"]/ancestor::article[1]//button[normalize-space()="Select"]`.
 */
function headingScoped(el: Element, doc: Document): string | null {
  const own = xpathString(norm(el.textContent));
  if (!own || norm(el.textContent).length > MAX_TEXT_LENGTH) return null;
  let card: Element | null = el.parentElement;
  for (let depth = 0; card && depth < 6; depth++, card = card.parentElement) {
    const heading = card.querySelector('h1, h2, h3, h4, h5, h6, [role="heading"]');
    if (!heading || heading.contains(el)) continue;
    const title = xpathString(norm(heading.textContent));
    if (!title) return null;
    const xpath = `//${heading.localName}[normalize-space()=${title}]/ancestor::${card.localName}[1]//${el.localName}[normalize-space()=${own}]`;
    return xpathCount(doc, xpath, el) ? `xpath/${xpath}` : null;
  }
  return null;
}

function textCount(root: Root, text: string): number {
  let n = 0;
  for (const e of composedElements(root)) {
    if (!norm(e.textContent).includes(text)) continue;
    // Only the innermost element holding the text counts, as a text/ lookup finds it.
    if (![...e.children].some((c) => norm(c.textContent).includes(text))) n++;
  }
  return n;
}

function roleCount(root: Root, role: string, name: string): number {
  let n = 0;
  for (const e of composedElements(root)) if (roleOf(e) === role && accessibleName(e) === name) n++;
  return n;
}

/** Candidates for an element within its own root (document or shadow root). */
function candidatesIn(el: Element, root: Root, composedRoot: Document, extraAttribute?: string): Candidate[] {
  const out: Candidate[] = [];
  for (const attr of [extraAttribute, ...TEST_ID_ATTRIBUTES].filter(Boolean) as string[]) {
    const v = el.getAttribute(attr);
    if (v && countCss(root, `[${attr}=${cssString(v)}]`) === 1) out.push({ selector: `[${attr}=${cssString(v)}]`, score: SCORES.testId });
  }
  const role = roleOf(el);
  const name = accessibleName(el);
  if (role && name && name.length <= MAX_TEXT_LENGTH && roleCount(composedRoot, role, name) === 1) {
    out.push({ selector: `aria/${name}[role="${role}"]`, score: SCORES.role });
  }
  const placeholder = el.getAttribute('placeholder');
  if (placeholder && countCss(root, `[placeholder=${cssString(placeholder)}]`) === 1) {
    out.push({ selector: `${el.localName}[placeholder=${cssString(placeholder)}]`, score: SCORES.placeholder });
  }
  const text = norm(el.textContent);
  if (text && text.length <= MAX_TEXT_LENGTH && !/^(input|select|textarea)$/.test(el.localName) && textCount(composedRoot, text) === 1) {
    out.push({ selector: `text/${text}`, score: SCORES.text });
  }
  // Only where role, name and text are not enough (identical buttons in several cards).
  if (root instanceof Document && !out.some((c) => c.score === SCORES.role || c.score === SCORES.text)) {
    const scoped = headingScoped(el, root);
    if (scoped) out.push({ selector: scoped, score: SCORES.scoped });
  }
  if (el.id && !looksGenerated(el.id) && countCss(root, `#${CSS.escape(el.id)}`) === 1) out.push({ selector: `#${CSS.escape(el.id)}`, score: SCORES.id });
  const css = cssPath(el, root);
  if (css && !out.some((c) => c.selector === css)) out.push({ selector: css, score: SCORES.css });
  return out.sort((a, b) => a.score - b.score);
}

/** Selector alternatives for an element, best first, in Chrome Recorder's array form. */
export function selectorsFor(el: Element, extraAttribute?: string): Selector[] {
  const chain: Element[] = [el];
  let root = el.getRootNode();
  while (root instanceof ShadowRoot) {
    chain.unshift(root.host);
    root = root.host.getRootNode();
  }
  const doc = el.ownerDocument;
  if (chain.length === 1) return candidatesIn(el, doc, doc, extraAttribute).map((c) => [c.selector]);

  // Inside shadow roots: role + name or pierce/ where unique across every root, then the
  // descent part by part (host in the document, … , element in its shadow root).
  const inner = candidatesIn(el, el.getRootNode() as ShadowRoot, doc, extraAttribute);
  const out: Selector[] = inner.filter((c) => c.selector.startsWith('aria/')).map((c) => [c.selector]);
  const parts = chain.map((e) => candidatesIn(e, e.getRootNode() as Root, doc, extraAttribute).find((c) => !c.selector.startsWith('xpath/'))?.selector);
  if (parts.every(Boolean)) out.push(parts as string[]);
  const innerCss = inner.find((c) => !/^(aria|text|xpath)\//.test(c.selector));
  if (innerCss) {
    let n = 0;
    for (const e of composedElements(doc)) if (e.matches(innerCss.selector)) n++;
    if (n === 1) out.push([`pierce/${innerCss.selector}`]);
  }
  return out;
}
