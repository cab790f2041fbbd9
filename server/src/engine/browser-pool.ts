// A few browsers shared by many synthetic people: one fresh context per person, spread over the
// browsers by load. Local browsers are Chromium processes started here; one that dies is replaced
// on the next request. Remote browsers are Playwright browser servers (`launchServer`,
// `playwright run-server`, or a compatible service) reached over WebSocket; one that goes away
// stays gone for the run. Either way its people fail as `infrastructure` (see person.ts), never
// as the application's fault.
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { chromium } from './playwright.js';
import { InfrastructureError, ReplayInputError } from './errors.js';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, findChromium, type BrowserKind, type ChromiumBinary } from './chromium.js';

export interface BrowserPoolOptions {
  /** How many local browser processes; default one per core. Ignored with endpoints. */
  browsers: number;
  prefer?: BrowserKind;
  /** Remote browser servers: `ws://host:port/path`, optionally `#capacity=N` (contexts at once). */
  endpoints?: readonly string[];
}

const CONNECT_TIMEOUT_MS = 30_000;
const UNBOUNDED = 1000;

interface Slot {
  browser: Promise<Browser>;
  active: number;
  /** Most contexts at once (remote endpoints may say); Infinity when unbounded. */
  capacity: number;
  /** For a remote browser: where it is; null for a local process. */
  endpoint: string | null;
  /** A remote browser that went away: no new person goes there. */
  lost: boolean;
}

/** `ws://h:p/x#capacity=8` → the address Playwright connects to and the capacity. */
export function parseEndpoint(spec: string): { url: string; capacity: number } {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new ReplayInputError(`--browser-endpoint ${spec}: not a URL (expected ws://host:port/path)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ReplayInputError(`--browser-endpoint ${spec}: expected a ws:// or wss:// address`);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const capacity = fragment.has('capacity') ? Number(fragment.get('capacity')) : Infinity;
  if (!(capacity >= 1) || (Number.isFinite(capacity) && !Number.isInteger(capacity))) {
    throw new ReplayInputError(`--browser-endpoint ${spec}: capacity must be a whole number ≥ 1`);
  }
  url.hash = '';
  return { url: url.href, capacity };
}

/** A remote address as shown to people: no path (browser servers keep a secret there). */
function endpointLabel(url: string): string {
  return new URL(url).host;
}

export class BrowserPool {
  readonly binary: ChromiumBinary | null;
  #slots: Slot[] = [];
  #closed = false;

  constructor(options: BrowserPoolOptions) {
    const endpoints = (options.endpoints ?? []).map(parseEndpoint);
    if (endpoints.length > 0) {
      this.binary = null;
      for (const e of endpoints) this.#slots.push({ browser: this.#connect(e.url), active: 0, capacity: e.capacity, endpoint: e.url, lost: false });
      return;
    }
    const binary = findChromium(options.prefer);
    if (!binary) throw new InfrastructureError(CHROMIUM_MISSING);
    this.binary = binary;
    for (let i = 0; i < Math.max(1, options.browsers); i++) this.#slots.push({ browser: this.#launch(), active: 0, capacity: Infinity, endpoint: null, lost: false });
  }

  /** The Chromium build in use, or `remote` for browser servers. */
  get kind(): string {
    return this.binary?.kind ?? 'remote';
  }

  /** How many remote endpoints (0 for local browsers). */
  get endpoints(): number {
    return this.binary ? 0 : this.#slots.length;
  }

  /** A local browser; one that dies while it starts (killed, out of memory) is started once more. */
  #launch(again = true): Promise<Browser> {
    const binary = this.binary!;
    const launched = chromium
      .launch({
        executablePath: binary.executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        // Turnout closes its browsers itself on Ctrl-C / SIGTERM, after saving what finished.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      .catch((e: Error) => {
        throw new InfrastructureError(`could not start Chromium (${binary.executablePath}): ${e.message.split('\n')[0]}`);
      });
    return again && !this.#closed ? launched.catch(() => this.#launch(false)) : launched;
  }

  #connect(url: string): Promise<Browser> {
    return chromium.connect(url, { timeout: CONNECT_TIMEOUT_MS }).catch((e: Error) => {
      throw new InfrastructureError(`could not reach the browser server at ${endpointLabel(url)}: ${e.message.split('\n')[0]}`);
    });
  }

  /** Starts (or reaches) every browser now, so that start-up failures surface before people run. */
  async warm(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.browser));
  }

  /** The open slot with the most room for one more context, or null when none has room left. */
  #pick(): Slot | null {
    // Unbounded browsers count as very large ones, so that among them the least busy wins.
    const load = (s: Slot): number => s.active / (Number.isFinite(s.capacity) ? s.capacity : UNBOUNDED);
    let best: Slot | null = null;
    for (const s of this.#slots) {
      if (s.lost) continue;
      if (!best || load(s) < load(best)) best = s;
    }
    return best;
  }

  /**
   * A new isolated context on the least busy browser; release it with the returned function.
   * `where` names the browser server it runs on (null for a local browser).
   */
  async newContext(options: BrowserContextOptions): Promise<{ context: BrowserContext; where: string | null; release: () => Promise<void> }> {
    if (this.#closed) throw new InfrastructureError('the browser pool is closed');
    for (;;) {
      const slot = this.#pick();
      if (!slot) throw new InfrastructureError(`every browser server is gone (${this.#slots.map((s) => endpointLabel(s.endpoint!)).join(', ')})`);
      slot.active++;
      let context: BrowserContext;
      try {
        const current = slot.browser;
        // A local browser that could not start (twice) is tried again for the next person.
        let browser = await (slot.endpoint ? current : current.catch(() => null));
        if (!browser?.isConnected()) {
          if (slot.endpoint) throw new LostEndpoint();
          // Several people may find the same browser dead at once: one relaunch serves them all.
          if (slot.browser === current) slot.browser = this.#launch();
          browser = await slot.browser;
        }
        context = await browser.newContext(options);
      } catch (e) {
        slot.active--;
        // A remote browser that cannot take a context is lost for this run: try the others.
        if (slot.endpoint) {
          slot.lost = true;
          continue;
        }
        if (e instanceof InfrastructureError) throw e;
        throw new InfrastructureError(`could not open a browser context: ${(e as Error).message.split('\n')[0]}`);
      }
      let released = false;
      return {
        context,
        where: slot.endpoint && endpointLabel(slot.endpoint),
        release: async () => {
          if (released) return;
          released = true;
          slot.active--;
          // A browser that is gone took its contexts with it: nothing to close, nothing to wait for.
          if (context.browser()?.isConnected() === false) return;
          await context.close().catch(() => undefined);
        },
      };
    }
  }

  /** Closes every local browser and disconnects from remote ones; safe to call more than once. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (s) => {
        const browser = await s.browser.catch(() => null);
        await browser?.close().catch(() => undefined);
      }),
    );
  }
}

class LostEndpoint extends Error {}
