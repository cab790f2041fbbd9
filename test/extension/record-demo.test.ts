// The recorder end to end, headless as CI runs it: a person enrolls on the demo site with the
// extension recording (real mouse clicks and key presses), and the recording replays for ten
// synthetic people. The person's own name, address and password must be nowhere in it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../schema/index.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { launchWithExtension, type WithExtension } from '../helpers/extension.js';

const PERSON = {
  first: 'Adaline', last: 'Quarrington', username: 'adalineq1987', email: 'adaline.q@inbox.turnout.test', password: 'Zq8!correct-horse-Battery', dob: '2000-01-15',
  street: '742 Evergreen Terrace', city: 'Springfield', state: 'OR', zip: '97403',
};

let sink: MailSink;
let site: DemoSite;
let ext: WithExtension;
let page: Page;
let scenario: Scenario;
let accountNumber = '';
const consoleLines: string[] = [];

async function type(label: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.keyboard.type(text);
}

beforeAll(async () => {
  sink = new MailSink({ port: 0 });
  await sink.start();
  site = await startDemoSite(0, { smtpPort: sink.port });
  ext = await launchWithExtension();
  page = ext.context.pages()[0] ?? (await ext.context.newPage());
  page.on('console', (m) => consoleLines.push(m.text()));
  ext.worker.on('console', (m) => consoleLines.push(m.text()));
}, 60_000);

afterAll(async () => {
  await ext?.context.close();
  await site?.close();
  await sink?.stop();
});

describe('recording the demo enrollment', () => {
  it('records what a person does, with the email steps in place', async () => {
    await page.goto(`${site.url}/`);
    await ext.turnout('startRecording');
    await page.getByRole('link', { name: 'Start enrollment' }).click();
    await page.waitForURL(/account\/new/);
    await type('First name', PERSON.first);
    await type('Last name', PERSON.last);
    await type('Username', PERSON.username);
    await type('Email', PERSON.email);
    await type('Password', PERSON.password);
    const since = Date.now();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/check-email/);

    // The confirmation email: the person tells the recorder, then opens the link in the tab.
    const mail = await sink.waitFor(PERSON.email, { since: since - 1000, timeoutMs: 10_000 });
    accountNumber = /Account number: (HM-\d{6})/.exec(mail.text)![1]!;
    await ext.turnout('insertEmailStep', { subject: 'Confirm your email', link: 'Confirm my email', extract: { pattern: 'Account number: (HM-\\d{6})', as: 'accountNumber' } });
    await page.goto(mail.links[0]!.url);
    await page.waitForURL(/signin/);
    // Signing in reuses the username, in a field whose label also says "email".
    await type('Username or email', PERSON.username);
    await type('Password', PERSON.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/identity/);

    await page.getByLabel('Date of birth').click();
    await page.keyboard.type('01152000');
    await type('Account number (from your email)', accountNumber);
    await page.getByRole('button', { name: 'Verify identity' }).click();
    await page.getByText('Identity verified').waitFor();
    await ext.turnout('setMode', 'assert');
    await page.getByText('Identity verified').click();
    await ext.turnout('setMode', 'record');
    await page.getByRole('link', { name: 'Continue to household' }).click();
    await page.waitForURL(/household/);

    await page.getByText('Household size').click(); // the label focuses the select
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await type('Expected 2027 household income (USD)', '42000');
    await type('Street address', PERSON.street);
    await type('City', PERSON.city);
    await type('State', PERSON.state);
    await type('ZIP code', PERSON.zip);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/plans/);
    await page.getByText('Silver Standard').click();
    await page.getByRole('button', { name: 'Choose plan' }).click();
    await page.waitForURL(/review/);
    await page.getByRole('button', { name: 'Submit application' }).click();
    await page.waitForURL(/done/);
    await page.getByRole('heading', { name: 'Application submitted' }).waitFor();

    const recorded = await ext.turnout<unknown>('stopRecording');
    scenario = parseScenario(recorded);
    const types = scenario.steps.map((s) => s.type);
    expect(types.slice(0, 3)).toEqual(['setViewport', 'navigate', 'click']);
    expect(types).toEqual(expect.arrayContaining(['waitForEmail', 'extractFromEmail', 'openEmailLink', 'waitForElement', 'change']));
    // Typing is one change per field, not a step per key.
    expect(types.filter((t) => t === 'change')).toHaveLength(15);
    // The email link was opened from the inbox: no navigate to a one-time URL.
    expect(scenario.steps.filter((s) => s.type === 'navigate')).toHaveLength(1);
    const values = scenario.steps.flatMap((s) => (s.type === 'change' ? [s.value] : []));
    expect(values).toEqual([
      '{{user.firstName}}', '{{user.lastName}}', '{{user.username}}', '{{user.email}}', '{{user.password}}',
      '{{user.username}}', '{{user.password}}',
      '{{user.dateOfBirth}}', '{{accountNumber}}', '3', '42000',
      '{{user.street}}', '{{user.city}}', '{{user.state}}', '{{user.postalCode}}',
    ]);
  });

  it('says where each action led: titles and addresses (query names only) of the pages, and the end page', () => {
    const landings = scenario.steps.flatMap((s) => s.assertedEvents?.map((e) => [s.type, e.url?.replace(site.url, ''), e.title]) ?? []);
    expect(landings).toEqual([
      ['navigate', '/', 'Get covered · HealthMarket'],
      ['click', '/account/new', 'Create your account · HealthMarket'],
      ['click', '/account/check-email?email', 'Check your inbox · HealthMarket'],
      ['openEmailLink', '/signin?confirmed', 'Sign in · HealthMarket'],
      ['click', '/identity', 'Verify your identity · HealthMarket'],
      ['click', '/household', 'Your household · HealthMarket'],
      ['click', '/plans', 'Choose a plan · HealthMarket'],
      ['click', '/review', 'Review and submit · HealthMarket'],
      ['click', '/done?confirmation', 'Application submitted · HealthMarket'],
    ]);
    const end = scenario.steps.at(-1);
    expect(end).toMatchObject({ type: 'waitForElement', name: 'end-page', title: 'reached the end page' });
    expect(end?.type === 'waitForElement' && end.selectors[0]).toEqual(['aria/Application submitted[role="heading"]']);
  });

  it('keeps the person’s own data out of the recording, its exports, storage and the console', async () => {
    const recordings = await ext.turnout<{ id: string }[]>('listRecordings');
    const exported = await ext.turnout<string>('exportRecording', recordings[0]!.id, 'turnout');
    const chromeExport = await ext.turnout<string>('exportRecording', recordings[0]!.id, 'chrome');
    const stored = await ext.worker.evaluate(async () => {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('turnout');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('recordings').objectStore('recordings').getAll();
          get.onsuccess = () => resolve(get.result);
        };
      });
      type Area = { get: (keys: null) => Promise<unknown> };
      const { storage } = (globalThis as unknown as { chrome: { storage: { session: Area; local: Area } } }).chrome;
      return JSON.stringify([all, await storage.session.get(null), await storage.local.get(null)]);
    });
    for (const text of [JSON.stringify(scenario), exported, chromeExport, stored, consoleLines.join('\n')]) {
      for (const secret of [PERSON.password, PERSON.email, PERSON.first, PERSON.last, PERSON.username, PERSON.street, PERSON.city, PERSON.zip, encodeURIComponent(PERSON.email), accountNumber]) {
        expect(text).not.toContain(secret);
      }
    }
    // The Chrome export carries Turnout's email steps as customStep.
    expect(JSON.parse(chromeExport).steps.filter((s: { type: string }) => s.type === 'customStep').map((s: { name: string }) => s.name)).toEqual([
      'waitForEmail', 'extractFromEmail', 'openEmailLink',
    ]);
  });

  it('replays for 10 synthetic people: all pass, and the site has 10 accounts with distinct usernames that signed in', async () => {
    const summary = await replay(scenario, { users: 10, sink, browsers: 1 });
    const failures = summary.results.filter((r) => r.status === 'failed').map((r) => `${r.failedStep} ${r.errorClass}: ${r.error} (${r.pageSays})`);
    expect(failures).toEqual([]);
    expect(summary.users).toMatchObject({ total: 10, passed: 10 });
    const replayed = site.truth().people.filter((p) => p.email !== PERSON.email);
    expect(replayed).toHaveLength(10);
    expect(new Set(replayed.map((p) => p.username)).size).toBe(10);
    expect(replayed.every((p) => p.signedIn && p.reached === 'submitted')).toBe(true);
  });

  it('lists the recording in the popup, where any value turns into a fixed one or into any variable', async () => {
    const popup = await ext.context.newPage();
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
    await expect.poll(() => popup.getByRole('status').first().textContent()).toBe('idle');
    await popup.getByRole('button', { name: 'Open' }).first().press('Enter'); // keyboard usable
    const steps = popup.getByRole('list', { name: 'Steps' }).locator('li');
    await expect.poll(() => steps.count()).toBe(scenario.steps.length);
    const emailIndex = scenario.steps.findIndex((s) => s.type === 'change' && s.value === '{{user.email}}');
    const chooser = popup.getByRole('combobox', { name: `Value of step ${emailIndex + 1}` });
    popup.once('dialog', (d) => void d.accept('fixed@example.test'));
    await chooser.selectOption('fixed');
    await expect.poll(() => steps.filter({ hasText: 'fixed@example.test' }).count()).toBe(1);
    // A literal the recorder could not know becomes a per-person unique token.
    await chooser.selectOption('{{user.unique}}');
    await expect.poll(() => steps.nth(emailIndex).textContent()).toContain('{{user.unique}}');
    await chooser.selectOption('{{user.email}}');
    await expect.poll(() => steps.nth(emailIndex).textContent()).toContain('{{user.email}}');
    await popup.close();
  });
});
