// Writes docs/dashboard.png: the live dashboard in the middle of a faulty demo run of 40 people,
// and docs/dashboard-health.png: the same run finished, with each worker's health and the run's
// warnings (40 people at 8 at once saturate a 2-core machine, which the run says).
// `npx tsx scripts/screenshot-dashboard.ts` (after `npm run build`).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { parseScenario } from '../schema/index.js';
import { startDemoSite } from '../scenarios/demo-site/site.js';
import { findChromium } from '../server/src/engine/chromium.js';
import { startServer } from '../server/src/http/server.js';

const server = await startServer({ port: 0, smtpPort: 0, dataDir: mkdtempSync(join(tmpdir(), 'turnout-shot-')) });
const site = await startDemoSite(0, {
  smtpPort: server.smtpPort,
  faults: { 'register-refused': 5, 'email-never-sent': 10, 'broken-link': 5, 'identity-hangs': 10, 'submit-500': 5 },
});
server.store.saveScenario('demo', parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8'))));
const browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
try {
  const run = server.manager.start({ scenario: 'demo', users: 40, iterations: 1, rampUp: 4, concurrency: 8, baseUrl: site.url });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1150 } });
  await page.goto(`${server.url}/#/runs/${run.id}`);
  await page.waitForTimeout(Number(process.env.AT_MS ?? 12_000));
  await page.screenshot({ path: 'docs/dashboard.png' });
  console.log('wrote docs/dashboard.png');
  await page.getByTestId('status').filter({ hasText: /finished|stopped/ }).waitFor({ timeout: 180_000 });
  const health = page.getByRole('region', { name: 'Run health' });
  await health.waitFor();
  await health.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/dashboard-health.png', clip: { x: 0, y: Math.max(0, (await health.boundingBox())!.y - 420), width: 1280, height: 900 } });
  console.log(`wrote docs/dashboard-health.png: ${(await health.innerText()).replace(/\s+/g, ' ')}`);
} finally {
  await browser.close();
  await server.close();
  await site.close();
}
