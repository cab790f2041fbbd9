// Helpers for a Playwright Test spec exported by Turnout: a synthetic person, filling any kind of
// field, and the person's inbox in a running Turnout server's SMTP sink (TURNOUT_URL, default
// http://127.0.0.1:4000; TURNOUT_TOKEN when the server has one). Copied beside the spec.
import type { Locator } from '@playwright/test';

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen'];

export interface Identity {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  fullName: string;
  phone: string;
  dateOfBirth: string;
  index: string;
  username: string;
  street: string;
  city: string;
  state: string;
  postalCode: string;
  company: string;
  unique: string;
}

/** A fresh synthetic person: unique address at the sink's domain (TURNOUT_MAIL_DOMAIN). */
export function identity(): Identity {
  const n = Math.floor(Math.random() * 1e9);
  const firstName = FIRST[n % FIRST.length]!;
  const lastName = LAST[Math.floor(n / 8) % LAST.length]!;
  const domain = process.env.TURNOUT_MAIL_DOMAIN ?? 'inbox.turnout.test';
  return {
    email: `${firstName}.${lastName}.${n.toString(36)}@${domain}`.toLowerCase(),
    password: `Pw-${n.toString(36)}-${Date.now().toString(36)}aZ!`,
    firstName,
    lastName,
    fullName: `${firstName} ${lastName}`,
    phone: `555${String(n).padStart(7, '0').slice(-7)}`,
    dateOfBirth: `19${70 + (n % 30)}-0${1 + (n % 9)}-1${n % 10}`,
    index: '1',
    username: `${firstName.toLowerCase()}${n.toString(36)}`.slice(0, 20),
    street: `${1 + (n % 900)} Main Street`,
    city: 'Springfield',
    state: 'IL',
    postalCode: String(10000 + (n % 89999)),
    company: `${lastName} & Co`,
    unique: `t${n.toString(36)}`,
  };
}

/** Types into a field the way Turnout does: selects pick an option, checkboxes check. */
export async function fillField(field: Locator, value: string): Promise<void> {
  const kind = await field.evaluate((el) => `${el.tagName.toLowerCase()}:${(el as HTMLInputElement).type ?? ''}`);
  if (kind.startsWith('select:')) await field.selectOption(value);
  else if (kind === 'input:checkbox' || kind === 'input:radio') await field.setChecked(value !== '' && value !== 'false');
  else await field.fill(value);
}

export interface Mail {
  subject: string;
  text: string;
  html: string | null;
  /** A link by its text, a URL substring or /regex/; the first link without one. */
  link: (wanted?: string) => string;
  /** The first capture group of a pattern in the mail's text. */
  extract: (pattern: string) => string;
}

function links(html: string | null, text: string): { text: string; url: string }[] {
  const out: { text: string; url: string }[] = [];
  for (const m of (html ?? '').matchAll(/<a\b[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi)) {
    out.push({ url: m[1]!.replace(/&amp;/g, '&'), text: m[2]!.replace(/<[^>]*>/g, '').trim() });
  }
  for (const m of text.matchAll(/https?:\/\/[^\s<>"')]+/g)) if (!out.some((l) => l.url === m[0])) out.push({ url: m[0], text: m[0] });
  return out;
}

export class Inbox {
  readonly #base = process.env.TURNOUT_URL ?? 'http://127.0.0.1:4000';
  readonly #since = Date.now();

  async waitFor(address: string, options: { subject?: string; timeoutMs: number }): Promise<Mail> {
    const deadline = Date.now() + options.timeoutMs;
    const headers = process.env.TURNOUT_TOKEN ? { authorization: `Bearer ${process.env.TURNOUT_TOKEN}` } : undefined;
    for (;;) {
      const response = await fetch(`${this.#base}/api/inbox?address=${encodeURIComponent(address)}`, { headers });
      const messages = (await response.json()) as { subject: string; text: string; html: string | null; receivedAt: string }[];
      const found = messages.find(
        (m) => Date.parse(m.receivedAt) >= this.#since - 1000 && (!options.subject || m.subject.toLowerCase().includes(options.subject.toLowerCase())),
      );
      if (found) {
        const all = links(found.html, found.text);
        return {
          ...found,
          link: (wanted) => {
            const regex = wanted && /^\/(.+)\/([a-z]*)$/.exec(wanted);
            const hit = !wanted
              ? all[0]
              : regex
                ? all.find((l) => new RegExp(regex[1]!, regex[2]).test(l.url))
                : all.find((l) => l.text.toLowerCase().includes(wanted.toLowerCase()) || l.url.includes(wanted));
            if (!hit) throw new Error(`no link ${wanted ?? ''} in "${found.subject}"`);
            return hit.url;
          },
          extract: (pattern) => {
            const m = new RegExp(pattern).exec(found.text);
            if (!m?.[1]) throw new Error(`${pattern} found nothing in "${found.subject}"`);
            return m[1];
          },
        };
      }
      if (Date.now() > deadline) throw new Error(`no email for ${address} within ${options.timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
