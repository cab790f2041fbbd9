// Chromium with the built Turnout extension loaded, headless as CI runs it: full Chromium (the
// headless shell cannot load extensions) through a persistent context.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../server/src/engine/chromium.js';

export const EXTENSION_DIST = resolve('extension/dist');

export interface WithExtension {
  context: BrowserContext;
  worker: Worker;
  /** Calls `globalThis.turnout.NAME(...args)` in the service worker. */
  turnout: <T>(name: string, ...args: unknown[]) => Promise<T>;
  extensionId: string;
}

export async function launchWithExtension(): Promise<WithExtension> {
  execFileSync(process.execPath, ['scripts/build-extension.mjs'], { stdio: 'ignore' });
  const binary = findChromium('chromium');
  if (binary?.kind !== 'chromium') throw new Error('full Chromium is needed to load the extension (apt-get install chromium)');
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'turnout-profile-')), {
    executablePath: binary.executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${EXTENSION_DIST}`, `--load-extension=${EXTENSION_DIST}`],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  const turnout = <T>(name: string, ...args: unknown[]): Promise<T> =>
    worker.evaluate(([n, a]) => (globalThis as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>).turnout![n as string]!(...(a as unknown[])), [name, args] as const) as Promise<T>;
  return { context, worker, turnout, extensionId };
}
