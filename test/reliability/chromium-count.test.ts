// The suite's "no Chromium left behind" checks count a file's own Chromium, not a browser someone
// has open on the same machine or another suite's. The count must still see what a leak leaves: a
// browser, its helpers, and helpers outliving a browser killed under them.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../server/src/engine/chromium.js';
import { FILE_MARK, chromiumAfterExit, chromiumProcesses, ownBrowserPids, ownChromium } from '../helpers/servers.js';

const launched: Browser[] = [];
const launch = async (env: NodeJS.ProcessEnv = process.env): Promise<Browser> => {
  const browser = await chromium.launch({ executablePath: findChromium('headless-shell')!.executablePath, args: CHROMIUM_ARGS, env });
  launched.push(browser);
  const page = await browser.newPage(); // a renderer too
  await page.setContent('<h1>Counted</h1>');
  return browser;
};

afterAll(async () => {
  for (const browser of launched) await browser.close().catch(() => undefined);
});

describe("a test file's count of its Chromium", () => {
  it('sees its browser and every helper, and none of a browser started elsewhere', async () => {
    const before = chromiumProcesses();
    await launch({ ...process.env, [FILE_MARK]: 'somebody else' });
    expect(chromiumProcesses()).toBe(before);
    await launch();
    const mine = ownChromium();
    expect(ownBrowserPids()).toHaveLength(1);
    expect(mine.filter((p) => p.args.includes('--type=zygote')).length).toBeGreaterThanOrEqual(1);
    expect(mine.filter((p) => p.args.includes('--type=renderer')).length).toBeGreaterThanOrEqual(1);
  });

  it('still sees the helpers of a browser killed under them, until they exit', async () => {
    const [browser] = ownBrowserPids();
    const zygote = ownChromium().find((p) => p.args.includes('--type=zygote'))!.pid;
    process.kill(zygote, 'SIGSTOP'); // a helper that cannot notice its browser is gone, for now
    process.kill(browser!, 'SIGKILL');
    for (let i = 0; i < 50 && ownBrowserPids().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(ownBrowserPids()).toEqual([]);
    expect(ownChromium().map((p) => p.pid)).toContain(zygote);
    process.kill(zygote, 'SIGKILL');
    expect(await chromiumAfterExit(0)).toBe(0);
  });
});
