// Writes docs/popup.png: the recorder's popup while a demo enrollment is being recorded.
// `npx tsx scripts/screenshot-popup.ts`
import { startDemoSite } from '../scenarios/demo-site/site.js';
import { launchWithExtension } from '../test/helpers/extension.js';

const site = await startDemoSite(0, { smtpPort: 2525 });
const ext = await launchWithExtension();
try {
  const page = ext.context.pages()[0] ?? (await ext.context.newPage());
  await page.goto(`${site.url}/`);
  await ext.turnout('startRecording');
  await page.getByRole('link', { name: 'Start enrollment' }).click();
  await page.getByLabel('First name').click();
  await page.keyboard.type('Ada');
  await page.keyboard.press('Tab');
  const popup = await ext.context.newPage();
  await popup.setViewportSize({ width: 404, height: 330 });
  await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
  await popup.waitForTimeout(1500);
  await popup.screenshot({ path: 'docs/popup.png' });
  await ext.turnout('stopRecording');
  console.log('wrote docs/popup.png');
} finally {
  await ext.context.close();
  await site.close();
}
