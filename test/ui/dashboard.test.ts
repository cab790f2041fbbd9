// The dashboard in real Chromium, used as a person would: start a faulty demo run from the form,
// watch the funnel move, and check the final numbers against the API's run summary.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary, ScenarioInfo } from '../../schema/index.js';
import { findChromium } from '../../server/src/engine/chromium.js';
import { startTestServer, type TestServer } from '../helpers/turnout-server.js';

let t: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestServer({ 'email-never-sent': 10, 'broken-link': 10, 'identity-hangs': 10, 'submit-500': 10, 'register-refused': 10 });
  browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** reached/passed/failed of every funnel row, as shown. */
async function funnel(): Promise<number[][]> {
  return page.locator('to-step-funnel tbody tr').evaluateAll((rows) =>
    rows.map((r) => ['reached', 'passed', 'failed'].map((c) => Number(r.querySelector(`[data-col="${c}"]`)?.textContent))),
  );
}

describe('the dashboard', () => {
  it('starts a faulty demo run from the form, updates the funnel live, and ends on the API’s numbers', async () => {
    await page.goto(t.server.url);
    const form = page.getByRole('form', { name: 'Start a run' });
    await form.getByLabel('People').fill('10');
    await form.getByLabel('Base URL').fill(t.site.url);
    await form.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\//);
    const runId = page.url().split('#/runs/')[1]!;

    const seen = new Set<string>();
    for (let i = 0; i < 1200; i++) {
      const status = await page.getByTestId('status').textContent();
      if (status !== 'running') break;
      seen.add(JSON.stringify(await funnel()));
      await page.waitForTimeout(100);
    }
    expect(await page.getByTestId('status').textContent()).toBe('finished');
    // The funnel changed several times while the run went on, without reloading the page.
    expect(seen.size).toBeGreaterThanOrEqual(3);

    const summary = await t.get<RunSummary>(`/api/runs/${runId}`);
    await expect.poll(funnel).toEqual(summary.steps.map((s) => [s.reached, s.passed, s.failed]));
    expect(await page.getByTestId('passed').textContent()).toBe(String(summary.users.passed));
    expect(await page.getByTestId('failed').textContent()).toBe(String(summary.users.failed));
    expect(summary.users).toMatchObject({ total: 10, passed: 5, failed: 5 });

    // Failures are grouped by step and class, with a sample message and screenshot.
    const groups = page.locator('to-failure-groups section');
    await expect.poll(() => groups.count()).toBe(5);
    await expect.poll(() => groups.filter({ hasText: 'email-timeout' }).textContent()).toMatch(/1 stuck at step 9 .*no email for/s);
    // The refused sign-up: where the person landed instead, and the page's own words.
    const refused = groups.filter({ hasText: 'unexpected-page' });
    await expect.poll(() => refused.textContent()).toMatch(/1 stuck at step 8 .*landed on 'Create your account · HealthMarket' \(\/account\).*The page says: “Error: this username is already registered”/s);
    expect(await groups.locator('img').count()).toBe(5);

    // The people table filters by class, and a row opens that person's timeline.
    const people = page.locator('to-people-table');
    await expect.poll(() => people.locator('tbody tr').count()).toBe(10);
    await people.getByLabel('Class').selectOption('timeout');
    await expect.poll(() => people.locator('tbody tr').count()).toBe(1);
    await people.locator('tbody tr').first().click();
    await expect.poll(() => page.locator('to-person-detail').getByRole('table', { name: 'Step timeline' }).locator('tbody tr').count()).toBe(19); // up to the identity check
  });

  it('starts an open-model run on network cohorts from the form: arrivals per second live, timings by network, Web Vitals on demand', async () => {
    await page.goto(t.server.url);
    const form = page.getByRole('form', { name: 'Start a run' });
    await form.getByLabel('Arrivals/s').fill('2');
    await form.getByLabel('for (s)').fill('4');
    await form.getByLabel('At once').fill('10');
    await form.getByLabel('Network').fill('none:1,4g:1');
    await form.getByLabel('Base URL').fill(t.site.url);
    await form.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\//);
    const runId = page.url().split('#/runs/')[1]!;
    // While people arrive, the page shows the rate they arrive at.
    const strip = page.getByRole('region', { name: 'Arrivals per second' });
    await expect.poll(() => strip.textContent(), { timeout: 10_000 }).toMatch(/Arriving [\d.]+\/s .*planned 2\/s for 4 s/);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).not.toBe('running');

    const summary = await t.get<RunSummary>(`/api/runs/${runId}`);
    expect(summary.options.phases).toEqual([{ duration: 4, arrivalRate: 2 }]);
    expect(summary.options.network).toEqual([{ profile: 'none', share: 1 }, { profile: '4g', share: 1 }]);
    expect(summary.users.total).toBe(8);
    // The strip ends on the summary's own per-second counts.
    await expect.poll(() => strip.getByRole('img').getAttribute('aria-label')).toBe(`people started per second: ${summary.arrivals!.perSecond.join(' ')}`);
    // Step timings by network, as the summary splits them.
    const byNetwork = page.getByRole('table', { name: 'Step timings by network' });
    await expect.poll(() => byNetwork.locator('thead th').allTextContents()).toEqual(['#', 'step', ...['none', '4g'].flatMap((p) => [`${p} (4) passed`, `${p} p50`, `${p} p95`])]);
    // Web Vitals columns appear when the viewer asks for them, with the summary's figures.
    const funnelTable = page.getByRole('table', { name: 'Per-step funnel' });
    expect(await funnelTable.locator('th', { hasText: 'LCP' }).count()).toBe(0);
    await page.getByLabel('Web Vitals (p50 / p95)').check();
    const loaded = summary.steps.find((st) => st.vitals?.lcp)!;
    const lcp = loaded.vitals!.lcp!;
    await expect.poll(() => funnelTable.locator(`tbody tr[data-step="${loaded.index}"] [data-vital="lcp"]`).textContent()).toBe(`${lcp.p50Ms} ms / ${lcp.p95Ms} ms`);
  }, 180_000);

  it('shows text from the target site as text, never as markup', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const created = await t.post<ScenarioInfo>('/api/scenarios', {
      title: `Hostile ${hostile}`,
      steps: [{ type: 'navigate', url: `${t.site.url}/` }, { type: 'waitForElement', selectors: [`text/${hostile}`], timeout: 500 }],
    });
    const run = await t.post<{ id: string }>('/api/runs', { scenario: created.body.id, users: 1 });
    await t.waitForRun(run.body.id);
    await page.goto(`${t.server.url}/#/runs/${run.body.id}`);
    await expect.poll(() => page.locator('to-failure-groups section').first().textContent(), { timeout: 10_000 }).toContain(hostile);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });
});
