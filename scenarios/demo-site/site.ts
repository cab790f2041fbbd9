// The demo target: a health-insurance marketplace enrollment (account, confirmation email,
// identity check against a slow back end, household, plan, submit) that mails the Turnout sink
// over real SMTP and fails on purpose for chosen percentages of people.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import nodemailer from 'nodemailer';
import { faultDeck, NO_FAULTS, type Fault, type FaultPercentages } from './faults.js';
import * as pages from './pages.js';

export interface DemoSiteOptions {
  /** Port of the SMTP server the site sends its mail to (Turnout's sink). */
  smtpPort: number;
  smtpHost?: string;
  faults?: Partial<FaultPercentages>;
  /** Added to every page and API answer, in milliseconds. */
  latencyMs?: number;
  /** How long the identity back end takes to answer, in milliseconds. */
  identityLatencyMs?: number;
}

interface Account {
  order: number;
  email: string;
  firstName: string;
  fault: Fault;
  token: string;
  accountNumber: string;
  /** Furthest point reached, for the ground truth. */
  reached: 'created' | 'email-sent' | 'confirmed' | 'verified' | 'household' | 'plan' | 'submitted';
  size?: string;
  income?: string;
  plan?: string;
  mailError?: string;
}

export interface DemoSite {
  url: string;
  port: number;
  /** Which person got which fault and how far each got. */
  truth(): { faults: FaultPercentages; people: { email: string; fault: Fault; reached: Account['reached'] }[] };
  close(): Promise<void>;
}

const SESSION_COOKIE = 'hm_session';

export async function startDemoSite(port: number, options: DemoSiteOptions): Promise<DemoSite> {
  const faults: FaultPercentages = { ...NO_FAULTS, ...options.faults };
  const deck = faultDeck(faults);
  const accounts = new Map<string, Account>();
  const sessions = new Map<string, Account>();
  const hanging = new Set<Response>();
  let siteUrl = '';
  const mailer = nodemailer.createTransport({
    host: options.smtpHost ?? '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '20kb' }));
  app.use(express.json({ limit: '20kb' }));
  if (options.latencyMs) app.use((_req, _res, next) => void setTimeout(next, options.latencyMs));

  const account = (req: Request): Account | undefined => {
    const sid = /(?:^|;\s*)hm_session=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid ? sessions.get(sid) : undefined;
  };
  const signedIn = (req: Request, res: Response): Account | undefined => {
    const a = account(req);
    if (!a) res.status(401).send(pages.signedOut());
    return a;
  };

  app.get('/', (_req, res) => void res.send(pages.landing()));
  app.get('/account/new', (_req, res) => void res.send(pages.newAccount()));
  app.post('/account', (req, res) => {
    const { firstName = '', lastName = '', email = '', password = '' } = req.body as Record<string, string>;
    const key = String(email).trim().toLowerCase();
    if (!firstName || !lastName || !key.includes('@') || String(password).length < 8) {
      return void res.status(400).send(pages.newAccount('Fill in every field; the password needs 8 characters.'));
    }
    if (accounts.has(key)) return void res.status(409).send(pages.newAccount('An account with this email already exists.'));
    const order = accounts.size;
    const a: Account = {
      order,
      email: key,
      firstName,
      fault: deck[order % 100] ?? 'none',
      token: randomBytes(12).toString('hex'),
      accountNumber: `HM-${String(100000 + Math.floor(Math.random() * 900000))}`,
      reached: 'created',
    };
    accounts.set(key, a);
    res.redirect(303, `/account/check-email?email=${encodeURIComponent(key)}`);
    if (a.fault === 'email-never-sent') return;
    // Mail goes out after the answer, as from a real site's queue.
    const token = a.fault === 'broken-link' ? `${a.token.slice(0, -4)}dead` : a.token;
    const mail = pages.confirmationEmail(firstName, `${siteUrl}/account/confirm?token=${token}`, a.accountNumber);
    mailer
      .sendMail({ from: 'HealthMarket <no-reply@healthmarket.test>', to: key, subject: 'Confirm your email', ...mail })
      .then(() => (a.reached = 'email-sent'))
      .catch((e: Error) => (a.mailError = e.message));
  });
  app.get('/account/check-email', (req, res) => void res.send(pages.checkEmail(String(req.query.email ?? ''))));
  app.get('/account/confirm', (req, res) => {
    const a = [...accounts.values()].find((x) => x.token === req.query.token);
    if (!a) return void res.status(404).send(pages.invalidLink());
    const sid = randomBytes(16).toString('hex');
    sessions.set(sid, a);
    a.reached = 'confirmed';
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    res.redirect(303, '/identity');
  });
  app.get('/identity', (req, res) => {
    const a = signedIn(req, res);
    if (a) res.send(pages.identity(a.firstName));
  });
  app.post('/api/identity', (req, res) => {
    const a = account(req);
    if (!a) return void res.status(401).json({ verified: false, error: 'Please confirm your email first' });
    if (a.fault === 'identity-hangs') {
      // The back end never answers: the person's browser waits until it gives up.
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const { dateOfBirth = '', accountNumber = '' } = req.body as Record<string, string>;
    setTimeout(() => {
      if (accountNumber.trim() !== a.accountNumber) return void res.json({ verified: false, error: 'The account number does not match our records' });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth)) return void res.json({ verified: false, error: 'Enter your date of birth' });
      a.reached = 'verified';
      res.json({ verified: true });
    }, options.identityLatencyMs ?? 300);
  });
  app.get('/household', (req, res) => {
    if (signedIn(req, res)) res.send(pages.household());
  });
  app.post('/household', (req, res) => {
    const a = signedIn(req, res);
    if (!a) return;
    const { size = '', income = '' } = req.body as Record<string, string>;
    Object.assign(a, { size, income, reached: 'household' });
    res.redirect(303, '/plans');
  });
  app.get('/plans', (req, res) => {
    if (signedIn(req, res)) res.send(pages.plans());
  });
  app.post('/plans', (req, res) => {
    const a = signedIn(req, res);
    if (!a) return;
    const plan = pages.PLANS.find((p) => p.id === (req.body as Record<string, string>).plan);
    if (!plan) return void res.status(400).send(pages.plans());
    Object.assign(a, { plan: plan.name, reached: 'plan' });
    res.redirect(303, '/review');
  });
  app.get('/review', (req, res) => {
    const a = signedIn(req, res);
    if (a) res.send(pages.review(a.plan ?? '', a.size ?? '', a.income ?? ''));
  });
  app.post('/application/submit', (req, res) => {
    const a = signedIn(req, res);
    if (!a) return;
    if (a.fault === 'submit-500') return void res.status(500).send(pages.serverError());
    a.reached = 'submitted';
    res.redirect(303, `/done?confirmation=HM27-${a.accountNumber.slice(3)}`);
  });
  app.get('/done', (req, res) => void res.send(pages.done(String(req.query.confirmation ?? ''))));
  app.get('/__turnout/truth', (_req, res) => void res.json(truth()));

  const truth: DemoSite['truth'] = () => ({
    faults,
    people: [...accounts.values()]
      .sort((a, b) => a.order - b.order)
      .map((a) => ({ email: a.email, fault: a.fault, reached: a.reached })),
  });

  const server: Server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actualPort = (server.address() as AddressInfo).port;
  siteUrl = `http://127.0.0.1:${actualPort}`;
  return {
    url: siteUrl,
    port: actualPort,
    truth,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      mailer.close();
    },
  };
}
