import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../../server/src/engine/browser-pool.js';
import { findElement, findFrame } from '../../server/src/engine/locate.js';
import { StepFailure } from '../../server/src/engine/failure.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

let pool: BrowserPool;
let site: Served;
let page: Page;
let release: () => Promise<void>;

beforeAll(async () => {
  site = await serveFixtures();
  pool = new BrowserPool({ browsers: 1 });
  const lease = await pool.newContext({});
  release = lease.release;
  page = await lease.context.newPage();
  await page.goto(`${site.url}/selectors.html`);
});

afterAll(async () => {
  await release?.();
  await pool?.close();
  await site?.close();
});

async function idOf(selectors: Parameters<typeof findElement>[1], root = page.mainFrame()): Promise<{ id: string | null; matched: string }> {
  const found = await findElement(root, selectors, 2000);
  return { id: await found.locator.getAttribute('id'), matched: found.matched };
}

describe('selector kinds', () => {
  it('aria/ finds by accessible name, with or without a role', async () => {
    expect((await idOf(['aria/Save draft'])).id).toBe('save');
    expect((await idOf(['aria/Work email'])).id).toBe('email');
    expect((await idOf(['aria/Submit form[role="button"]'])).id).toBe('submit');
  });

  it('text/ finds the element holding the text', async () => {
    expect((await idOf(['text/Read the terms'])).id).toBe('note');
  });

  it('xpath/ evaluates an XPath', async () => {
    expect((await idOf(['xpath///*[@id="submit"]'])).id).toBe('submit');
  });

  it('pierce/ reaches into open shadow roots', async () => {
    expect((await idOf(['pierce/#in-shadow'])).id).toBe('in-shadow');
  });

  it('an array descends through shadow roots part by part', async () => {
    expect((await idOf([['#host', '#inner-host', '#deep']])).id).toBe('deep');
    expect((await idOf([['#host', 'aria/Deep field']])).id).toBe('deep');
  });

  it('frame paths select child frames, nested ones too', async () => {
    const outer = await findFrame(page, [0], 2000);
    expect((await idOf(['#outer-button'], outer)).id).toBe('outer-button');
    const inner = await findFrame(page, [0, 0], 2000);
    expect((await idOf(['aria/Inner frame button'], inner)).id).toBe('inner-button');
    await expect(findFrame(page, [3], 300)).rejects.toThrow('no frame at path [3]');
  });

  it('tries alternatives in order and reports which one matched', async () => {
    const found = await idOf([['#gone'], ['aria/No such thing'], ['#submit'], ['#save']]);
    expect(found).toEqual({ id: 'submit', matched: '#submit' });
  });

  it('waits for an element that appears later', async () => {
    await page.evaluate(() => setTimeout(() => document.body.insertAdjacentHTML('beforeend', '<b id="late">late</b>'), 300));
    expect((await idOf(['#late'])).id).toBe('late');
  });

  it('fails as selector-not-found, naming the candidates, when none matches', async () => {
    const error = await findElement(page.mainFrame(), [['#nope'], ['aria/Nope']], 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).failureClass).toBe('selector-not-found');
    expect((error as StepFailure).message).toBe('no element matched "#nope", "aria/Nope" within 300 ms');
  });
});
