// Writes docs/trends.png: the Trends page of the demo scenario after six nights — the site broken
// on the fourth (a tenth of sign-ups answered 500, every confirmation mail lost for some) and
// mended after — and docs/schedules.png: the Schedules page with a nightly schedule and its alerts.
// `npx tsx scripts/screenshot-trends.ts` (after `npm run build`).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { parseScenario } from '../schema/index.js';
import { startDemoSite } from '../scenarios/demo-site/site.js';
import { findChromium } from '../server/src/engine/chromium.js';
import { startServer } from '../server/src/http/server.js';

const server = await startServer({ port: 0, smtpPort: 0, dataDir: mkdtempSync(join(tmpdir(), 'turnout-shot-')) });
const site = await startDemoSite(0, { smtpPort: server.smtpPort });
server.store.saveScenario('demo', parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8'))));
const browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
try {
  const nights = [{}, {}, {}, { 'submit-500': 20, 'email-never-sent': 20 }, {}, {}];
  for (const faults of nights) {
    site.setFaults(faults);
    const run = server.manager.start({ scenario: 'demo', users: 6, iterations: 1, rampUp: 0, concurrency: 6, baseUrl: site.url });
    while (server.manager.list().find((r) => r.id === run.id)?.status === 'running') await new Promise((r) => setTimeout(r, 500));
  }
  server.scheduler.create({ scenario: 'demo', cron: '0 3 * * *', timezone: 'Europe/Berlin', users: 100, baseUrl: site.url, thresholds: ['pass_rate>=0.99', 'step[*].cls_p95<0.1'], alerts: [{ kind: 'slack', url: '{{secret.SLACK_WEBHOOK}}' }], enabled: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${server.url}/#/trends/demo`);
  await page.locator('to-trends [data-chart] canvas').first().waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/trends.png' });
  console.log('wrote docs/trends.png');
  await page.goto(`${server.url}/#/schedules`);
  await page.locator('to-schedules tr[data-schedule]').first().waitFor();
  await page.screenshot({ path: 'docs/schedules.png', clip: { x: 0, y: 0, width: 1280, height: 620 } });
  console.log('wrote docs/schedules.png');
} finally {
  await browser.close();
  await server.close();
  await site.close();
}
