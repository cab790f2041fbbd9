// The popup's own buttons drive a recording, as a QA person would use them (Start, Add a check,
// Wait for email + open link, Stop), on a newsletter sign-up that never navigates: its answer is
// a panel shown by script. A recording that ends on such a click must still say where it ended,
// so a replay where the form silently fails is a failure at the end check, not a pass.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { launchWithExtension, type WithExtension } from '../helpers/extension.js';

const PAGE = (body: string, title: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

/** A sign-up whose button posts by script and shows a panel; `silent` makes it swallow the failure. */
async function startNewsletter(smtpPort: number): Promise<{ url: string; joined: string[]; welcomed: string[]; silent: { on: boolean }; close: () => Promise<void> }> {
  const joined: string[] = [];
  const welcomed: string[] = [];
  const silent = { on: false };
  const tokens = new Map<string, string>();
  const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  const app = express();
  app.use(express.json());
  let url = '';
  app.get('/join', (_req, res) =>
    void res.send(
      PAGE(
        `<h1>Join the newsletter</h1>
<label for="email">Email</label><input id="email" type="email" autocomplete="email">
<button type="button" id="join">Join</button>
<section id="thanks" hidden><h2>Thanks for joining</h2><p>Check your inbox for the welcome link.</p></section>
<script>
  document.getElementById('join').addEventListener('click', async () => {
    try {
      const r = await fetch('/api/join', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: document.getElementById('email').value }) });
      if (!r.ok) throw new Error('refused');
      document.getElementById('thanks').hidden = false;
    } catch { /* the bug under test: the page says nothing */ }
  });
</script>`,
        'Newsletter',
      ),
    ),
  );
  app.post('/api/join', (req, res) => {
    if (silent.on) return void res.status(400).json({ error: 'closed' });
    const email = String((req.body as { email?: string }).email ?? '');
    const token = Math.random().toString(36).slice(2);
    tokens.set(token, email);
    joined.push(email);
    res.json({ ok: true });
    void mailer.sendMail({ from: 'news@letter.test', to: email, subject: 'Welcome', html: `<a href="${url}/welcome?token=${token}">Confirm my subscription</a>` });
  });
  app.get('/welcome', (req, res) => {
    const email = tokens.get(String(req.query.token));
    if (!email) return void res.status(404).send(PAGE('<h1>Unknown link</h1>', 'Unknown link'));
    welcomed.push(email);
    res.send(PAGE('<h1>Welcome aboard</h1><p>You are subscribed.</p>', 'Welcome'));
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    joined,
    welcomed,
    silent,
    close: async () => {
      mailer.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let sink: MailSink;
let site: Awaited<ReturnType<typeof startNewsletter>>;
let ext: WithExtension;
let page: Page;
let popup: Page;

beforeAll(async () => {
  sink = new MailSink({ port: 0 });
  await sink.start();
  site = await startNewsletter(sink.port);
  ext = await launchWithExtension();
  page = ext.context.pages()[0] ?? (await ext.context.newPage());
  await page.goto(`${site.url}/join`);
  // The popup opened as a page of its own: "this tab" is then the web page used last.
  popup = await ext.context.newPage();
  await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
}, 60_000);

afterAll(async () => {
  await ext?.context.close();
  await site?.close();
  await sink?.stop();
});

const state = (): Promise<string | null> => popup.getByRole('status').first().textContent();

/** How long the person pauses before pressing Join. */
const READING_MS = 1200;

/** Records the sign-up up to the thanks panel with the popup's buttons; the email part when asked. */
async function record(withEmail: boolean): Promise<Scenario> {
  await page.goto(`${site.url}/join`);
  await popup.getByRole('button', { name: 'Start recording this tab' }).click();
  await expect.poll(state).toMatch(/^recording/);
  const email = `qa.person.${Date.now()}@inbox.turnout.test`;
  await page.getByLabel('Email').click();
  await page.keyboard.type(email);
  // The person reads the form over before joining: the pause is recorded on the click.
  await page.waitForTimeout(READING_MS);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('heading', { name: 'Thanks for joining' }).waitFor();
  if (withEmail) {
    await popup.getByRole('button', { name: 'Add a check' }).click();
    await popup.getByRole('button', { name: /Assert mode/ }).waitFor();
    await page.getByText('Check your inbox for the welcome link.').click();
    await popup.getByRole('button', { name: /Assert mode/ }).click(); // back to recording actions
    await popup.getByRole('button', { name: 'Add a check' }).waitFor();
    const mail = await sink.waitFor(email, { since: Date.now() - 10_000, timeoutMs: 10_000 });
    await popup.getByRole('button', { name: 'Wait for email + open link' }).click();
    await popup.getByText('Now open the link from the email in this tab').waitFor();
    await page.goto(mail.links[0]!.url);
    await page.getByRole('heading', { name: 'Welcome aboard' }).waitFor();
  }
  await popup.getByRole('button', { name: 'Stop' }).click();
  // Stopping opens the recording in the popup; the steps listed are the ones saved.
  const steps = popup.getByRole('list', { name: 'Steps' }).locator('li');
  await expect.poll(() => steps.count()).toBeGreaterThan(3);
  await popup.getByRole('button', { name: 'Back' }).click();
  const [latest] = await ext.turnout<{ id: string; updatedAt: string }[]>('listRecordings');
  const scenario = parseScenario(await ext.turnout('getRecording', latest!.id));
  expect(await steps.count()).toBe(0); // back on the list
  expect(JSON.stringify(scenario)).not.toContain(email);
  return scenario;
}

describe('recording with the popup’s buttons', () => {
  let full: Scenario;

  it('records the sign-up, a check, the email steps and an end check', async () => {
    full = await record(true);
    const summary = full.steps.map((s) => `${s.type}${'value' in s ? ` ${s.value}` : ''}${s.name ? ` (${s.name})` : ''}`);
    expect(summary).toEqual([
      'setViewport',
      'navigate',
      'click',
      'change {{user.email}}',
      'click',
      'waitForElement',
      'waitForEmail',
      'openEmailLink',
      'waitForElement (end-page)',
    ]);
    // Pauses are recorded to the 100 ms (for --think recorded): the reading before Join among them
    // (on the email's change, which the browser reports as the field loses focus, or on Join).
    const typedThenJoined = full.steps.slice(3, 5).reduce((sum, s) => sum + (s.pauseMs ?? 0), 0);
    expect(typedThenJoined).toBeGreaterThanOrEqual(READING_MS - 100);
    expect(full.steps.every((s) => s.pauseMs === undefined || (s.pauseMs > 0 && s.pauseMs % 100 === 0))).toBe(true);
    const open = full.steps.find((s) => s.type === 'openEmailLink');
    expect(open?.assertedEvents?.[0]?.url).toBe(`${site.url}/welcome?token`);
    const end = full.steps.at(-1);
    expect(end?.type === 'waitForElement' && end.selectors[0]).toEqual(['aria/Welcome aboard[role="heading"]']);
  });

  it('replays for 5 people, each subscribed through their own inbox', async () => {
    const before = site.welcomed.length;
    const summary = await replay(full, { users: 5, sink, browsers: 1 });
    expect(summary.results.map((r) => `${r.status} ${r.error ?? ''}`)).toEqual(Array(5).fill('passed '));
    expect(site.welcomed.length - before).toBe(5);
  });

  it('ends a recording on a click that leads nowhere with a check of what the page then showed', async () => {
    const short = await record(false);
    const end = short.steps.at(-1);
    expect(end).toMatchObject({ type: 'waitForElement', name: 'end-page', title: 'reached the end page' });
    expect(end?.type === 'waitForElement' && end.selectors[0]).toEqual(['aria/Thanks for joining[role="heading"]']);

    // The site swallows its own failure: the click "works", nothing is shown, nobody joined.
    site.silent.on = true;
    try {
      const joinedBefore = site.joined.length;
      const summary = await replay(short, { users: 3, sink, browsers: 1, stepTimeoutMs: 3000 });
      expect(site.joined.length).toBe(joinedBefore);
      for (const person of summary.results) {
        expect({ status: person.status, failedStep: person.failedStep, errorClass: person.errorClass }).toEqual({
          status: 'failed',
          failedStep: short.steps.length - 1,
          // A 400 is the site's answer, not a server fault: the check of the end page is what failed.
          errorClass: 'assertion-failed',
        });
        expect(person.error).toContain('Thanks for joining');
      }
    } finally {
      site.silent.on = false;
    }
  });
});
