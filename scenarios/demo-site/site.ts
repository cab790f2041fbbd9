// The demo target: a health-insurance marketplace enrollment (account with a username,
// confirmation email, sign-in with the username, identity check against a slow back end,
// household and home address, plan, submit) that mails the Turnout sink
// over real SMTP and fails on purpose for chosen percentages of people.
import { createHash, randomBytes } from 'node:crypto';
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
  /**
   * Images and scripts on every page, as a real site's pages carry (three images to a script),
   * asked for again on every page (no-store): what a browser loads besides the page itself.
   */
  furniture?: number;
}

interface Account {
  order: number;
  email: string;
  username: string;
  /** Only a hash: the site checks the password at sign-in and never keeps it. */
  passwordHash: string;
  firstName: string;
  fault: Fault;
  token: string;
  accountNumber: string;
  /** Furthest point reached, for the ground truth. */
  reached: 'refused' | 'created' | 'email-sent' | 'confirmed' | 'signed-in' | 'verified' | 'household' | 'plan' | 'submitted';
  signedIn: boolean;
  /** Shown to the person when the site refused them (register-refused). */
  refusal?: string;
  size?: string;
  income?: string;
  address?: { street: string; city: string; state: string; zip: string };
  plan?: string;
  mailError?: string;
}

/** One person as the site saw them: the ground truth a run is checked against. */
export interface TruthPerson {
  email: string;
  username: string;
  fault: Fault;
  reached: Account['reached'];
  signedIn: boolean;
  refusal: string | null;
  address: Account['address'] | null;
}

export interface DemoSite {
  url: string;
  port: number;
  /** Which person got which fault and how far each got. */
  truth(): { faults: FaultPercentages; people: TruthPerson[] };
  /** Deals other faults to the people who sign up from now on (a site that breaks, or is mended). */
  setFaults(percentages: Partial<FaultPercentages>): void;
  close(): Promise<void>;
}

const SESSION_COOKIE = 'hm_session';
const hash = (password: string): string => createHash('sha256').update(password).digest('hex');

export async function startDemoSite(port: number, options: DemoSiteOptions): Promise<DemoSite> {
  let faults: FaultPercentages = { ...NO_FAULTS, ...options.faults };
  let deck = faultDeck(faults);
  const accounts = new Map<string, Account>();
  /** Sign-ups the site refused (a taken username, the register-refused fault): no account. */
  const refused: Account[] = [];
  let attempts = 0;
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
  if (options.furniture) {
    const extra = pages.furniture(options.furniture);
    app.use((_req, res, next) => {
      const send = res.send.bind(res);
      res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace('</main>', `</main>${extra}`) : body);
      next();
    });
    let served = 0;
    app.get('/__turnout/furniture', (_req, res) => void res.json({ served }));
    app.get('/assets/:name', (req, res) => {
      served++;
      res.set('cache-control', 'no-store');
      if (req.params.name.endsWith('.js')) res.type('text/javascript').send(pages.ASSET_SCRIPT);
      else res.type('image/png').send(pages.ASSET_IMAGE);
    });
  }

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
    const { firstName = '', lastName = '', username = '', email = '', password = '' } = req.body as Record<string, string>;
    const key = String(email).trim().toLowerCase();
    const login = String(username).trim().toLowerCase();
    if (!firstName || !lastName || !login || !key.includes('@') || String(password).length < 8) {
      return void res.status(400).send(pages.newAccount('Fill in every field; the password needs 8 characters.'));
    }
    const order = attempts++;
    const a: Account = {
      order,
      email: key,
      username: login,
      passwordHash: hash(password),
      firstName,
      fault: deck[order % 100] ?? 'none',
      token: randomBytes(12).toString('hex'),
      accountNumber: `HM-${String(100000 + Math.floor(Math.random() * 900000))}`,
      reached: 'created',
      signedIn: false,
    };
    // As a real CMS does: the same form again, at the same address, with the error on top.
    const taken = [...accounts.values()].some((x) => x.username === login) ? 'Error: this username is already registered' : null;
    const refusal = taken ?? (a.fault === 'register-refused' ? 'Error: this username is already registered' : null);
    if (refusal || accounts.has(key)) {
      refused.push({ ...a, reached: 'refused', refusal: refusal ?? 'An account with this email already exists.' });
      return void res.send(pages.newAccount(refusal ?? 'An account with this email already exists.'));
    }
    accounts.set(key, a);
    res.redirect(303, `/account/check-email?email=${encodeURIComponent(key)}`);
    if (a.fault === 'email-never-sent') return;
    // Mail goes out after the answer, as from a real site's queue.
    const token = a.fault === 'broken-link' ? `${a.token.slice(0, -4)}dead` : a.token;
    const mail = pages.confirmationEmail(firstName, `${siteUrl}/account/confirm?token=${token}`, a.accountNumber);
    mailer
      .sendMail({ from: 'HealthMarket <no-reply@healthmarket.test>', to: key, subject: 'Confirm your email', ...mail })
      // The person may have confirmed already: the sink has the mail before the site hears back.
      .then(() => void (a.reached === 'created' && (a.reached = 'email-sent')))
      .catch((e: Error) => (a.mailError = e.message));
  });
  app.get('/account/check-email', (req, res) => void res.send(pages.checkEmail(String(req.query.email ?? ''))));
  app.get('/account/confirm', (req, res) => {
    const a = [...accounts.values()].find((x) => x.token === req.query.token);
    if (!a) return void res.status(404).send(pages.invalidLink());
    a.reached = 'confirmed';
    res.redirect(303, '/signin?confirmed=1');
  });
  app.get('/signin', (_req, res) => void res.send(pages.signIn()));
  app.post('/signin', (req, res) => {
    const { login = '', password = '' } = req.body as Record<string, string>;
    const who = String(login).trim().toLowerCase();
    const a = [...accounts.values()].find((x) => (x.username === who || x.email === who) && x.passwordHash === hash(password));
    if (!a || a.reached === 'created' || a.reached === 'email-sent') {
      return void res.send(pages.signIn(a ? 'Confirm your email first.' : 'Wrong username or password.'));
    }
    const sid = randomBytes(16).toString('hex');
    sessions.set(sid, a);
    a.signedIn = true;
    if (a.reached === 'confirmed') a.reached = 'signed-in';
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
    const { size = '', income = '', street = '', city = '', state = '', zip = '' } = req.body as Record<string, string>;
    Object.assign(a, { size, income, address: { street, city, state, zip }, reached: 'household' });
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
    people: [...accounts.values(), ...refused]
      .sort((a, b) => a.order - b.order)
      .map((a) => ({ email: a.email, username: a.username, fault: a.fault, reached: a.reached, signedIn: a.signedIn, refusal: a.refusal ?? null, address: a.address ?? null })),
  });

  const server: Server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actualPort = (server.address() as AddressInfo).port;
  siteUrl = `http://127.0.0.1:${actualPort}`;
  return {
    url: siteUrl,
    port: actualPort,
    truth,
    setFaults: (percentages) => {
      const next = { ...NO_FAULTS, ...percentages };
      deck = faultDeck(next);
      faults = next;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      mailer.close();
    },
  };
}
