// Content from the target site — page titles, URLs, error text, email bodies — is shown as text
// in the dashboard and the HTML report, never run as markup.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary, ScenarioInfo } from '../../schema/index.js';
import { findChromium } from '../../server/src/engine/chromium.js';
import { writeHtmlReport } from '../../server/src/report/html.js';
import { serveFixtures, type Served } from '../helpers/servers.js';
import { startTestServer, type TestServer } from '../helpers/turnout-server.js';

const PAYLOAD = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
/** What shows of the payload when quoted in an error message (its quotes escaped there). */
const VISIBLE = '<img src=x onerror=';

let t: TestServer;
let target: Served;
let browser: Browser;
let summary: RunSummary;

beforeAll(async () => {
  t = await startTestServer();
  const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: t.server.smtpPort, secure: false, ignoreTLS: true });
  target = await serveFixtures((app) => {
    app.get('/hostile', (req, res) => {
      const to = String(req.query.to ?? '');
      void mailer.sendMail({ from: 'x@hostile.test', to, subject: `Welcome ${PAYLOAD}`, html: `<p>Hi ${PAYLOAD}</p><a href="javascript:alert(1)">Confirm</a>`, text: `Hi ${PAYLOAD}` });
      res.send(`<!doctype html><title>${PAYLOAD}</title><h1>${PAYLOAD}</h1>`);
    });
  });
  const created = await t.post<ScenarioInfo>('/api/scenarios', {
    title: `Hostile ${PAYLOAD}`,
    steps: [
      { type: 'navigate', url: `${target.url}/hostile?to={{user.email}}&q=${encodeURIComponent(PAYLOAD)}` },
      { type: 'waitForEmail', to: '{{user.email}}', timeout: 5000 },
      { type: 'waitForElement', selectors: [`text/${PAYLOAD}`], timeout: 500 },
    ],
  });
  const run = await t.post<{ id: string }>('/api/runs', { scenario: created.body.id, users: 2 });
  await t.waitForRun(run.body.id);
  summary = await t.get<RunSummary>(`/api/runs/${run.body.id}`);
  browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
});

afterAll(async () => {
  await browser?.close();
  await target?.close();
  await t?.close();
});

async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"], script:not([src]):not([type])').count()).toBeLessThanOrEqual(0);
}

describe('hostile content from the target', () => {
  it('the run failed where expected, its error quoting the payload', () => {
    expect(summary.results.map((r) => [r.failedStep, r.errorClass])).toEqual([[2, 'assertion-failed'], [2, 'assertion-failed']]);
    expect(summary.scenario).toContain(PAYLOAD);
  });

  it('the dashboard shows it as text: run view and inbox', async () => {
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => void (dialogs++, d.dismiss()));
    await page.goto(`${t.server.url}/#/runs/${summary.runId}`);
    await expect.poll(() => page.locator('to-failure-groups section').first().textContent(), { timeout: 10_000 }).toContain(VISIBLE);
    expect(await page.locator('to-run-view h2').first().textContent()).toContain(PAYLOAD);
    await expectInert(page);
    await page.goto(`${t.server.url}/#/inbox/${summary.runId}`);
    await expect.poll(() => page.locator('to-inbox article pre').first().textContent(), { timeout: 10_000 }).toContain(`Hi ${PAYLOAD}`);
    await expectInert(page);
    expect(dialogs).toBe(0);
    await page.close();
  });

  it('the HTML report shows it as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnout-hostile-report-'));
    await writeHtmlReport({ summary, thresholds: [], comparison: null, artifactsDir: join(t.dataDir, 'artifacts') }, dir);
    const page = await browser.newPage();
    await page.goto(`file://${resolve(dir, 'index.html')}`);
    expect(await page.locator('h1').textContent()).toBe(summary.scenario);
    expect(await page.locator('section.card').first().textContent()).toContain(VISIBLE);
    expect(await page.title()).toContain(PAYLOAD);
    await expectInert(page);
    await page.close();
  });
});
