// Web Vitals per step: how each page a person loaded felt (TTFB, FCP, LCP, CLS) and how fast it
// answered their input (INP), measured in the page by Google's `web-vitals` library. The library
// runs in an isolated world of its own (a DevTools `worldName`): the page's globals, its scripts
// and its prototypes never see it, and its reports come back through a binding that exists only
// in that world. A document's load metrics belong to the step during which it began loading;
// an interaction's INP to the step it happened in.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { StepVitals } from '../../../schema/index.js';
import { devtoolsSession } from './network.js';

const WORLD = 'turnout-vitals';
const BINDING = '__turnoutVital';
const LOAD_METRICS = { TTFB: 'ttfbMs', FCP: 'fcpMs', LCP: 'lcpMs', CLS: 'cls' } as const;
type LoadMetric = keyof typeof LOAD_METRICS;
/** Clocks of Node and the page's timeOrigin agree to well under this many ms on one machine. */
const CLOCK_SLACK_MS = 5;

let script: string | null = null;

/**
 * The library (its IIFE build) and the reporting, for the top frame only, every change reported.
 * `__turnoutFlush` makes the library report what it holds, as it does when a tab is hidden (INP
 * entries not yet delivered, the final LCP and CLS), with no event dispatched to the page: the
 * library's visibility listeners are kept aside and called, and `visibilityState` reads "hidden"
 * in this world alone.
 */
function vitalsScript(): string {
  if (script) return script;
  const dist = dirname(createRequire(import.meta.url).resolve('web-vitals'));
  const library = readFileSync(join(dist, 'web-vitals.iife.js'), 'utf8');
  script = `if (window === window.top) {
const hiddenListeners = new Set();
const add = globalThis.addEventListener, remove = globalThis.removeEventListener;
globalThis.addEventListener = function (type, fn, options) { if (type === 'visibilitychange') hiddenListeners.add(fn); return add.call(this, type, fn, options); };
globalThis.removeEventListener = function (type, fn, options) { if (type === 'visibilitychange') hiddenListeners.delete(fn); return remove.call(this, type, fn, options); };
${library}
;(() => {
  const send = (m) => ${BINDING}(JSON.stringify({ n: m.name, v: m.value, o: performance.timeOrigin, s: m.entries.length ? m.entries[m.entries.length - 1].startTime : 0 }));
  for (const on of [webVitals.onTTFB, webVitals.onFCP, webVitals.onLCP, webVitals.onCLS, webVitals.onINP]) on(send, { reportAllChanges: true });
})();
globalThis.__turnoutFlush = () => {
  Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
  const event = { type: 'visibilitychange', timeStamp: performance.now() };
  for (const fn of [...hiddenListeners]) try { typeof fn === 'function' ? fn(event) : fn.handleEvent(event); } catch {}
};
}`;
  return script;
}

interface Report {
  n: string;
  v: number;
  o: number;
  s: number;
}

function parseReport(payload: string): Report | null {
  try {
    const r = JSON.parse(payload) as Partial<Report>;
    const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
    return typeof r.n === 'string' && finite(r.v) && finite(r.o) && finite(r.s ?? 0) ? { n: r.n, v: r.v, o: r.o, s: r.s ?? 0 } : null;
  } catch {
    return null;
  }
}

export class VitalsWatch {
  /** Each document's latest value per load metric, by the document's timeOrigin. */
  #documents = new Map<number, Partial<Record<LoadMetric, number>>>();
  /** INP as it rose, with when the interaction began. */
  #interactions: { at: number; value: number }[] = [];
  /** The isolated worlds alive now, each with its page's session. */
  #worlds = new Map<string, { cdp: CDPSession; id: number }>();
  #sessions = 0;

  /** Starts measuring every page of the person's context: the first and any it opens. */
  static async attach(context: BrowserContext, page: Page): Promise<VitalsWatch> {
    const watch = new VitalsWatch();
    context.on('page', (opened) => void watch.#watch(context, opened).catch(() => undefined));
    await watch.#watch(context, page);
    return watch;
  }

  async #watch(context: BrowserContext, page: Page): Promise<void> {
    const cdp = await devtoolsSession(context, page);
    const session = ++this.#sessions;
    cdp.on('Runtime.bindingCalled', (event) => {
      if (event.name !== BINDING) return;
      const r = parseReport(event.payload);
      if (!r) return;
      if (r.n === 'INP') this.#interactions.push({ at: r.o + r.s, value: r.v });
      else if (r.n in LOAD_METRICS) this.#documents.set(r.o, { ...this.#documents.get(r.o), [r.n]: r.v });
    });
    cdp.on('Runtime.executionContextCreated', ({ context: c }) => {
      if (c.name === WORLD) this.#worlds.set(`${session}:${c.id}`, { cdp, id: c.id });
    });
    cdp.on('Runtime.executionContextDestroyed', ({ executionContextId }) => void this.#worlds.delete(`${session}:${executionContextId}`));
    cdp.on('Runtime.executionContextsCleared', () => {
      for (const key of this.#worlds.keys()) if (key.startsWith(`${session}:`)) this.#worlds.delete(key);
    });
    // The isolated world is made for each new document once Page and Runtime are on for this
    // session. A session runs its commands in order: sent together, they cost one round trip.
    await Promise.all([
      cdp.send('Page.enable'),
      cdp.send('Runtime.enable'),
      cdp.send('Runtime.addBinding', { name: BINDING, executionContextName: WORLD }),
      cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: vitalsScript(), worldName: WORLD }),
    ]);
  }

  /**
   * After the last step: each page reports what it still holds (the last interaction's INP, the
   * final LCP and CLS). The reports arrive before the answer to the flush does.
   */
  async settle(): Promise<void> {
    await Promise.all(
      [...this.#worlds.values()].map(({ cdp, id }) =>
        cdp.send('Runtime.evaluate', { expression: 'globalThis.__turnoutFlush && globalThis.__turnoutFlush()', contextId: id }).catch(() => undefined),
      ),
    );
  }

  /** Each step's vitals: a document's to the last step begun before it began loading, an interaction's likewise. */
  /** `starts`: when each step began, in ms since the epoch. */
  byStep(starts: readonly number[]): (StepVitals | undefined)[] {
    const out: (StepVitals | undefined)[] = starts.map(() => undefined);
    const stepAt = (t: number): number => {
      for (let i = starts.length - 1; i >= 0; i--) if (starts[i]! - CLOCK_SLACK_MS <= t) return i;
      return -1;
    };
    // Documents in the order they began: a step that loaded two keeps the last one's.
    for (const [origin, metrics] of [...this.#documents].sort((a, b) => a[0] - b[0])) {
      const i = stepAt(origin);
      if (i < 0) continue;
      const v: StepVitals = {};
      for (const [name, key] of Object.entries(LOAD_METRICS) as [LoadMetric, (typeof LOAD_METRICS)[LoadMetric]][]) {
        const value = metrics[name];
        if (value !== undefined) v[key] = key === 'cls' ? Math.round(value * 10_000) / 10_000 : Math.round(value);
      }
      out[i] = { ...out[i], ...v };
    }
    for (const { at, value } of this.#interactions) {
      const i = stepAt(at);
      if (i < 0) continue;
      out[i] = { ...out[i], inpMs: Math.max(out[i]?.inpMs ?? 0, Math.round(value)) };
    }
    return out;
  }
}
