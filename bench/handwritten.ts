// The demo enrollment written by hand in plain Playwright, as a team would without Turnout: the
// yardstick for Turnout's own overhead. Same browsers (one headless-shell per core), same sink.
// Usage (bench/run.ts builds it to plain JavaScript first, as Turnout's own CLI is):
//   node handwritten.mjs SITE_URL SMTP_PORT USERS CONCURRENCY [chromium|headless-shell] [browsers]
import { availableParallelism } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../server/src/engine/chromium.js';
import { MailSink } from '../server/src/mail/sink.js';

const [site = '', smtpPort = '2525', usersText = '1', concurrencyText = '1', kind = 'headless-shell', browsersText] = process.argv.slice(2);
const users = Number(usersText);
const concurrency = Number(concurrencyText);
const tag = Date.now().toString(36);

/** Why people failed, by the first line of Playwright's error (with the step it was at): printed at the end. */
const failures = new Map<string, number>();

async function person(browser: Browser, i: number, sink: MailSink): Promise<boolean> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const email = `person.${i}.${tag}@inbox.turnout.test`;
  const started = Date.now();
  try {
    await page.goto(`${site}/`);
    await page.getByRole('link', { name: 'Start enrollment' }).click();
    await page.waitForURL('**/account/new');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Username', { exact: true }).fill(`ada${i}${tag}`.slice(0, 20));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('Correct-Horse-42!');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/check-email**');
    const mail = await sink.waitFor(email, { since: started, timeoutMs: 10_000 });
    const account = /Account number: (HM-\d{6})/.exec(mail.text)![1]!;
    await page.goto(mail.links[0]!.url);
    await page.getByLabel('Username or email').fill(`ada${i}${tag}`.slice(0, 20));
    await page.getByLabel('Password').fill('Correct-Horse-42!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/identity');
    await page.getByLabel('Date of birth').fill('1990-01-15');
    await page.getByLabel('Account number (from your email)').fill(account);
    await page.getByRole('button', { name: 'Verify identity' }).click();
    await page.getByText('Identity verified').waitFor();
    await page.getByRole('link', { name: 'Continue to household' }).click();
    await page.waitForURL('**/household');
    await page.getByLabel('Household size').selectOption('3');
    await page.getByLabel('Expected 2027 household income (USD)').fill('42000');
    await page.getByLabel('Street address').fill('12 Analytical Row');
    await page.getByLabel('City').fill('London');
    await page.getByLabel('State').fill('NY');
    await page.getByLabel('ZIP code').fill('10001');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/plans');
    await page.getByLabel('Silver Standard').check();
    await page.getByRole('button', { name: 'Choose plan' }).click();
    await page.waitForURL('**/review');
    await page.getByRole('button', { name: 'Submit application' }).click();
    await page.getByRole('heading', { name: 'Application submitted' }).waitFor();
    return true;
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\d+ms/, 'Nms');
    failures.set(why, (failures.get(why) ?? 0) + 1);
    return false;
  } finally {
    await context.close();
  }
}

const sink = new MailSink({ port: Number(smtpPort) });
await sink.start();
const binary = findChromium(kind as 'chromium' | 'headless-shell')!;
const count = Math.min(concurrency, Number(browsersText ?? availableParallelism()));
const browsers = await Promise.all(Array.from({ length: count }, () => chromium.launch({ executablePath: binary.executablePath, args: CHROMIUM_ARGS })));
let next = 0;
let passed = 0;
await Promise.all(
  Array.from({ length: concurrency }, async (_, w) => {
    for (let i = next++; i < users; i = next++) if (await person(browsers[w % browsers.length]!, i, sink)) passed++;
  }),
);
await Promise.all(browsers.map((b) => b.close()));
await sink.stop();
console.log(JSON.stringify({ users, passed, ...(failures.size ? { failures: Object.fromEntries(failures) } : {}) }));
