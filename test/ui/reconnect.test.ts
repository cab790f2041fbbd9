// A dashboard whose socket drops in the middle of a run (a laptop's Wi-Fi, a proxy restarting)
// and comes back while people keep failing must end up showing what a dashboard opened fresh
// shows: the same funnel, counts, failure groups and people. Real Chromium, real server; the
// drop is the page's WebSocket closed under it and refused for a few seconds.
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../schema/index.js';
import { findChromium } from '../../server/src/engine/chromium.js';
import { DEMO_ID, startTestServer, type TestServer } from '../helpers/turnout-server.js';

let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  t = await startTestServer({ 'email-never-sent': 15, 'broken-link': 15, 'submit-500': 15 }, undefined, {}, { retention: { runs: 10, days: 30 } });
  browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** What a viewer reads on a run's page, in one comparable value. */
async function shown(page: Page) {
  const funnel = await page.locator('to-step-funnel tbody tr').evaluateAll((rows) =>
    rows.map((r) => ['reached', 'passed', 'failed'].map((c) => r.querySelector(`[data-col="${c}"]`)?.textContent)),
  );
  const groups = await page.locator('to-failure-groups section').evaluateAll((sections) => sections.map((s) => s.querySelector('strong')?.textContent));
  return {
    status: await page.getByTestId('status').textContent(),
    passed: await page.getByTestId('passed').textContent(),
    failed: await page.getByTestId('failed').textContent(),
    funnel,
    groups: groups.sort(),
    people: await page.locator('to-people-table tbody tr').count(),
  };
}

const doneOf = async (id: string): Promise<number> => {
  const run = (await t.get<RunInfo[]>('/api/runs')).find((r) => r.id === id)!;
  return run.users.total;
};

describe('a dashboard whose socket drops mid-run', () => {
  it('shows, once reconnected, the same state as a dashboard opened fresh', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    let down = false;
    const open: WebSocketRoute[] = [];
    let connections = 0;
    let refused = 0;
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      // Taken and closed before socket.io's handshake, as a proxy that is restarting does.
      if (down) return void (refused++, ws.close({ code: 4000, reason: 'network down' }));
      connections++;
      open.push(ws);
      ws.connectToServer();
    });
    const run = await t.post<{ id: string }>('/api/runs', { scenario: DEMO_ID, users: 12, concurrency: 4 });
    expect(run.status).toBe(202);
    const id = run.body.id;
    await page.goto(`${t.server.url}/#/runs/${id}`);
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('running');
    await expect.poll(() => doneOf(id), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);

    // The network goes: the page's socket is closed and every attempt to come back refused,
    // while people keep finishing and failing.
    down = true;
    const doneAtDrop = await doneOf(id);
    for (const ws of open.splice(0)) await ws.close({ code: 4000, reason: 'network down' });
    await expect.poll(() => doneOf(id), { timeout: 60_000 }).toBeGreaterThanOrEqual(doneAtDrop + 3);
    await expect.poll(() => refused, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    down = false;
    // The page tries again within seconds of a refused attempt (its 5 s connect timeout and
    // socket.io's backoff of at most 7.5 s), not after socket.io's 20 s default.
    const back = Date.now();
    await expect.poll(() => connections, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(Date.now() - back, 'ms until the page connected again').toBeLessThan(15_000);

    await t.waitForRun(id);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('finished');
    expect(connections, 'the page connected again after the drop').toBeGreaterThanOrEqual(2);

    const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await fresh.goto(`${t.server.url}/#/runs/${id}`);
    await expect.poll(() => fresh.getByTestId('status').textContent()).toBe('finished');
    const expected = await (async () => {
      await expect.poll(() => fresh.locator('to-people-table tbody tr').count()).toBe(12);
      return shown(fresh);
    })();
    expect(expected.groups.length).toBeGreaterThan(0);
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual(expected);
    await fresh.close();
    await page.close();
  }, 240_000);

  it('says on the run history what the server keeps', async () => {
    const page = await browser.newPage();
    await page.goto(t.server.url);
    await expect
      .poll(() => page.getByTestId('retention').textContent())
      .toBe('Keeping the newest 10 finished runs, none older than 30 days; older ones are removed with their screenshots and traces, never a running one.');
    await page.close();
  });
});
