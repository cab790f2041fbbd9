// The sink over real SMTP: nodemailer sends, the sink parses and hands each message to whoever
// waits for that recipient.
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailTimeoutError, MailSink } from '../../server/src/mail/sink.js';
import { pickLink } from '../../server/src/mail/links.js';

let sink: MailSink;
let transport: Transporter;

beforeAll(async () => {
  sink = new MailSink({ port: 0, maxStoredMessages: 50 });
  await sink.start();
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true });
});

afterAll(async () => {
  transport?.close();
  await sink?.stop();
});

const send = (to: string, subject: string, html = '<p>hello</p>', text?: string) =>
  transport.sendMail({ from: 'site@example.test', to, subject, html, ...(text ? { text } : {}) });

describe('MailSink', () => {
  it('hands a message to the person waiting for that address, the moment it arrives', async () => {
    const since = Date.now();
    const waiting = sink.waitFor('Ada@Inbox.Test', { since, timeoutMs: 5000 });
    await send('bob@inbox.test', 'For Bob');
    await send('ada@inbox.test', 'Confirm your email', '<p><a href="http://127.0.0.1:9/confirm?t=1&amp;x=2">Confirm my email</a></p>');
    const mail = await waiting;
    expect(mail.subject).toBe('Confirm your email');
    expect(mail.to).toEqual(['ada@inbox.test']);
    expect(mail.links).toEqual([{ text: 'Confirm my email', url: 'http://127.0.0.1:9/confirm?t=1&x=2' }]);
    expect(Date.now() - mail.receivedAt).toBeLessThan(1000);
  });

  it('finds a message that came before the wait, but not one from before the person started', async () => {
    const before = Date.now();
    await send('early@inbox.test', 'Welcome');
    await new Promise((r) => setTimeout(r, 20));
    const after = Date.now();
    await expect(sink.waitFor('early@inbox.test', { since: before, timeoutMs: 100 })).resolves.toMatchObject({ subject: 'Welcome' });
    await expect(sink.waitFor('early@inbox.test', { since: after, timeoutMs: 100 })).rejects.toBeInstanceOf(EmailTimeoutError);
  });

  it('matches by subject and skips messages already used', async () => {
    const since = Date.now();
    await send('two@inbox.test', 'Welcome aboard');
    await send('two@inbox.test', 'Your code', '<p>Code: 123456</p>');
    const first = await sink.waitFor('two@inbox.test', { since, timeoutMs: 1000 });
    const code = await sink.waitFor('two@inbox.test', { since, afterId: first.id, subject: (s) => s.includes('code'), timeoutMs: 1000 });
    expect([first.subject, code.subject]).toEqual(['Welcome aboard', 'Your code']);
  });

  it('says who got no mail and after how long', async () => {
    await expect(sink.waitFor('nobody@inbox.test', { since: Date.now(), timeoutMs: 200 })).rejects.toThrow('no email for nobody@inbox.test within 0.2 s');
  });

  it('keeps memory bounded when flooded with mail for unknown recipients', async () => {
    await Promise.all(Array.from({ length: 80 }, (_, i) => send(`flood${i}@inbox.test`, 'spam')));
    const kept = Array.from({ length: 80 }, (_, i) => sink.messages(`flood${i}@inbox.test`).length).filter((n) => n > 0);
    expect(kept.length).toBeLessThanOrEqual(50);
    expect(sink.received).toBeGreaterThanOrEqual(80);
    // A real person waiting during a flood still gets their mail.
    const waiting = sink.waitFor('real@inbox.test', { since: Date.now(), timeoutMs: 2000 });
    await send('real@inbox.test', 'Confirm your email');
    await expect(waiting).resolves.toMatchObject({ subject: 'Confirm your email' });
  });
});

describe('pickLink', () => {
  const links = [
    { text: 'Unsubscribe', url: 'http://a.test/unsub' },
    { text: 'Confirm my email', url: 'http://a.test/confirm?token=abc' },
  ];
  it('keeps at most so many bytes of mail, dropping the oldest addresses first', async () => {
    const small = new MailSink({ port: 0, maxStoredBytes: 200 * 1024 });
    await small.start();
    const to = nodemailer.createTransport({ host: '127.0.0.1', port: small.port, secure: false, ignoreTLS: true });
    try {
      const body = 'y'.repeat(30 * 1024);
      for (let i = 0; i < 20; i++) await to.sendMail({ from: 'site@example.test', to: `big${i}@inbox.test`, subject: `Letter ${i}`, text: body });
      expect(small.received).toBe(20);
      expect(small.storedBytes).toBeGreaterThan(100 * 1024);
      expect(small.storedBytes).toBeLessThanOrEqual(200 * 1024);
      const kept = Array.from({ length: 20 }, (_, i) => small.messages(`big${i}@inbox.test`).length);
      // The newest are kept, the oldest gone: a run's people find the mail of this run, not last week's.
      expect(kept.indexOf(1)).toBeGreaterThan(0);
      expect(kept.slice(kept.indexOf(1)).every((n) => n === 1)).toBe(true);
      expect(small.stored).toBe(kept.filter((n) => n === 1).length);
      const waiting = small.waitFor('late@inbox.test', { since: 0, timeoutMs: 5000 });
      await to.sendMail({ from: 'site@example.test', to: 'late@inbox.test', subject: 'Still here', text: body });
      expect((await waiting).subject).toBe('Still here');
    } finally {
      to.close();
      await small.stop();
    }
  });

  it('refuses a 20 MB message without keeping it, tells the person waiting why, and keeps serving others', async () => {
    const huge = 'x'.repeat(20 * 1024 * 1024);
    const direct = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    await expect(direct.sendMail({ from: 'site@example.test', to: 'big@inbox.test', subject: 'Huge', text: huge })).rejects.toThrow(/552/);
    direct.close();
    const error = await sink.waitFor('big@inbox.test', { since: 0, timeoutMs: 300 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(EmailTimeoutError);
    expect((error as Error).message).toBe('no email for big@inbox.test within 0.3 s (the sink refused a message to it: larger than 5 MB)');
    const waiting = sink.waitFor('after-big@inbox.test', { since: 0, timeoutMs: 5000 });
    await send('after-big@inbox.test', 'Still here');
    expect((await waiting).subject).toBe('Still here');
  });

  it('finds a link by text, URL substring or /regex/, else the first', () => {
    expect(pickLink(links, 'confirm my email')?.url).toContain('/confirm');
    expect(pickLink(links, 'token=')?.url).toContain('/confirm');
    expect(pickLink(links, '/unsub$/')?.text).toBe('Unsubscribe');
    expect(pickLink(links)?.text).toBe('Unsubscribe');
    expect(pickLink(links, 'nothing like it')).toBeNull();
  });
});
