// Turnout's SMTP sink: the target site mails its confirmation links here, and each message is
// handed to the synthetic person waiting for it, by recipient, the moment it arrives.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { extractLinks } from './links.js';
import { emailTimeout, type Mailbox, type ReceivedEmail, type WaitForEmailOptions } from './mailbox.js';
import { ReplayInputError } from '../engine/errors.js';

export { EmailTimeoutError, emailTimeout, type Mailbox, type ReceivedEmail, type WaitForEmailOptions } from './mailbox.js';

export interface MailSinkOptions {
  port: number;
  host?: string;
  /** Messages kept in memory in all; the oldest go first (bounded memory under a flood). */
  maxStoredMessages?: number;
  /** Bytes of messages kept in memory in all (as received); the oldest go first past it. */
  maxStoredBytes?: number;
  /** Largest message accepted, in bytes. */
  maxMessageBytes?: number;
}

const SINK_CLOSE_GRACE_MS = 500;

interface Waiter {
  accepts: (mail: ReceivedEmail) => boolean;
  resolve: (mail: ReceivedEmail) => void;
}

export class MailSink implements Mailbox {
  #server: SMTPServer;
  #options: Required<MailSinkOptions>;
  #byAddress = new Map<string, ReceivedEmail[]>();
  #waiters = new Map<string, Set<Waiter>>();
  #stored = 0;
  #storedBytes = 0;
  /** Each kept message's size as received, counted once per address it is kept under. */
  #sizes = new WeakMap<ReceivedEmail, number>();
  #nextId = 1;
  #port = 0;
  /** Messages accepted since start, including those already evicted. */
  received = 0;
  /** Why the last message to an address was refused (bounded like the messages). */
  #refused = new Map<string, string>();
  #listeners = new Set<(mail: ReceivedEmail) => void>();

  constructor(options: MailSinkOptions) {
    this.#options = { host: '127.0.0.1', maxStoredMessages: 20_000, maxStoredBytes: 64 * 1024 * 1024, maxMessageBytes: 5 * 1024 * 1024, ...options };
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      banner: 'Turnout mail sink',
      // Sites keep pooled SMTP connections open; on stop, wait this long for a message in
      // flight, then hang up (smtp-server's default is 30 s).
      closeTimeout: SINK_CLOSE_GRACE_MS,
      size: this.#options.maxMessageBytes,
      onData: (stream, session, callback) => {
        const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const chunks: Buffer[] = [];
        let bytes = 0;
        // Past the limit the rest is read and dropped: a 20 MB message never sits in memory.
        stream.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes <= this.#options.maxMessageBytes) chunks.push(c);
        });
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || bytes > this.#options.maxMessageBytes) {
            this.#refuse(recipients, `larger than ${Math.round(this.#options.maxMessageBytes / 1024 / 1024)} MB`);
            callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
            return;
          }
          this.#accept(Buffer.concat(chunks), recipients).then(
            () => callback(),
            () => {
              this.#refuse(recipients, 'not a readable MIME message');
              callback(Object.assign(new Error('message could not be read'), { responseCode: 554 }));
            },
          );
        });
      },
    });
    this.#server.on('error', () => undefined);
  }

  /** Calls `listener` with each message as it is accepted (the farm relays them); returns an unsubscribe. */
  onMessage(listener: (mail: ReceivedEmail) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  get port(): number {
    return this.#port;
  }

  /** Messages held in memory now (bounded by maxStoredMessages). */
  get stored(): number {
    return this.#stored;
  }

  /** Bytes of the messages held in memory now, as received (bounded by maxStoredBytes). */
  get storedBytes(): number {
    return this.#storedBytes;
  }

  async start(): Promise<number> {
    this.#server.listen(this.#options.port, this.#options.host);
    await once(this.#server.server, 'listening').catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') throw e;
      const why = e.code === 'EADDRINUSE' ? 'something else already listens there' : 'this user may not listen there';
      throw new ReplayInputError(`the SMTP sink cannot listen on port ${this.#options.port} (${why}): choose another with --smtp-port`);
    });
    this.#port = (this.#server.server.address() as AddressInfo).port;
    return this.#port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #refuse(recipients: readonly string[], why: string): void {
    for (const r of recipients) {
      this.#refused.delete(r);
      this.#refused.set(r, why);
    }
    while (this.#refused.size > this.#options.maxStoredMessages) this.#refused.delete(this.#refused.keys().next().value!);
  }

  async #accept(raw: Buffer, recipients: string[]): Promise<void> {
    const parsed = await PostalMime.parse(raw);
    const html = typeof parsed.html === 'string' ? parsed.html : null;
    const text = parsed.text ?? '';
    const mail: ReceivedEmail = {
      id: this.#nextId++,
      to: recipients,
      from: parsed.from?.address ?? null,
      subject: parsed.subject ?? '',
      text,
      html,
      links: extractLinks(html, text),
      receivedAt: Date.now(),
    };
    this.#sizes.set(mail, raw.length);
    this.received++;
    for (const listener of this.#listeners) listener(mail);
    for (const address of recipients) {
      const list = this.#byAddress.get(address) ?? [];
      list.push(mail);
      this.#byAddress.set(address, list);
      this.#stored++;
      this.#storedBytes += raw.length;
      for (const waiter of this.#waiters.get(address) ?? []) if (waiter.accepts(mail)) waiter.resolve(mail);
    }
    this.#evict();
  }

  /** Drops whole addresses, the longest-known first, until both bounds hold. */
  #evict(): void {
    for (const address of this.#byAddress.keys()) {
      if (this.#stored <= this.#options.maxStoredMessages && this.#storedBytes <= this.#options.maxStoredBytes) return;
      this.#drop(address);
    }
  }

  /** Drops the messages kept for one address; returns how many. */
  #drop(address: string): number {
    const list = this.#byAddress.get(address);
    if (!list) return 0;
    this.#byAddress.delete(address);
    this.#stored -= list.length;
    for (const mail of list) this.#storedBytes -= this.#sizes.get(mail) ?? 0;
    return list.length;
  }

  /**
   * Drops the mail kept for these addresses (a server does so when its retention removes their
   * run: the inbox of a run no longer kept is not kept either). Returns the messages dropped.
   */
  forget(addresses: Iterable<string>): number {
    let dropped = 0;
    for (const address of addresses) {
      const key = address.toLowerCase();
      this.#refused.delete(key);
      dropped += this.#drop(key);
    }
    return dropped;
  }

  /** Messages received for an address, oldest first. */
  messages(address: string): ReceivedEmail[] {
    return [...(this.#byAddress.get(address.toLowerCase()) ?? [])];
  }

  /** The newest messages of all addresses, newest first. */
  recent(limit: number): ReceivedEmail[] {
    const all = new Map<number, ReceivedEmail>();
    for (const list of this.#byAddress.values()) for (const m of list) all.set(m.id, m);
    return [...all.values()].sort((a, b) => b.id - a.id).slice(0, limit);
  }

  /** Resolves with the first message for `address` that matches, already here or yet to come. */
  waitFor(address: string, options: WaitForEmailOptions): Promise<ReceivedEmail> {
    const key = address.toLowerCase();
    const accepts = (m: ReceivedEmail): boolean =>
      m.receivedAt >= options.since && m.id > (options.afterId ?? 0) && (!options.subject || options.subject(m.subject));
    const already = this.#byAddress.get(key)?.find(accepts);
    if (already) return Promise.resolve(already);
    return new Promise<ReceivedEmail>((resolve, reject) => {
      const set = this.#waiters.get(key) ?? new Set<Waiter>();
      this.#waiters.set(key, set);
      const done = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        set.delete(waiter);
        if (set.size === 0) this.#waiters.delete(key);
      };
      const waiter: Waiter = { accepts, resolve: (m) => (done(), resolve(m)) };
      const onAbort = (): void => (done(), reject(options.signal?.reason ?? new Error('aborted')));
      const timer = setTimeout(() => {
        done();
        reject(emailTimeout(address, options.timeoutMs, this.#refused.get(address.toLowerCase()) ?? null));
      }, options.timeoutMs);
      set.add(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
