// A few browsers shared by many synthetic people: one fresh context per person, spread over the
// browsers by load. A browser that dies is replaced on the next request; its people fail as
// `infrastructure` (see person.ts), never as the application's fault.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { InfrastructureError } from './errors.js';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, findChromium, type BrowserKind, type ChromiumBinary } from './chromium.js';

export interface BrowserPoolOptions {
  /** How many browser processes; default one per core. */
  browsers: number;
  prefer?: BrowserKind;
}

interface Slot {
  browser: Promise<Browser>;
  active: number;
}

export class BrowserPool {
  readonly binary: ChromiumBinary;
  #slots: Slot[] = [];
  #closed = false;

  constructor(options: BrowserPoolOptions) {
    const binary = findChromium(options.prefer);
    if (!binary) throw new InfrastructureError(CHROMIUM_MISSING);
    this.binary = binary;
    for (let i = 0; i < Math.max(1, options.browsers); i++) this.#slots.push({ browser: this.#launch(), active: 0 });
  }

  #launch(): Promise<Browser> {
    return chromium
      .launch({
        executablePath: this.binary.executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        // Turnout closes its browsers itself on Ctrl-C / SIGTERM, after saving what finished.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      .catch((e: Error) => {
        throw new InfrastructureError(`could not start Chromium (${this.binary.executablePath}): ${e.message.split('\n')[0]}`);
      });
  }

  /** Starts every browser now, so that start-up cost and failures surface before people run. */
  async warm(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.browser));
  }

  /** A new isolated context on the least busy browser; release it with the returned function. */
  async newContext(options: BrowserContextOptions): Promise<{ context: BrowserContext; release: () => Promise<void> }> {
    if (this.#closed) throw new InfrastructureError('the browser pool is closed');
    const slot = this.#slots.reduce((a, b) => (b.active < a.active ? b : a));
    slot.active++;
    let context: BrowserContext;
    try {
      let browser = await slot.browser;
      if (!browser.isConnected()) {
        slot.browser = this.#launch();
        browser = await slot.browser;
      }
      context = await browser.newContext(options);
    } catch (e) {
      slot.active--;
      if (e instanceof InfrastructureError) throw e;
      throw new InfrastructureError(`could not open a browser context: ${(e as Error).message.split('\n')[0]}`);
    }
    let released = false;
    return {
      context,
      release: async () => {
        if (released) return;
        released = true;
        slot.active--;
        await context.close().catch(() => undefined);
      },
    };
  }

  /** Closes every browser; safe to call more than once. */
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
