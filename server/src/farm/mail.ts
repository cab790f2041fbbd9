// Email across the farm: the target mails one sink (the coordinator's, or `turnout sink`), which
// relays each message into a Redis list per recipient and announces it; a person waiting on any
// worker reads their own list. Lists expire after an hour and keep the newest few messages.
import type { Redis } from 'ioredis';
import { emailTimeout, type Mailbox, type MailSink, type ReceivedEmail, type WaitForEmailOptions } from '../mail/sink.js';
import { MAIL_CHANNEL, MAIL_TTL_S, mailKey } from './redis.js';

/** Messages kept per address: a flow sends a few, never dozens. */
const PER_ADDRESS = 20;
/** Bodies are cut to this size on the way through Redis; links are found before the cut. */
const MAX_BODY_CHARS = 256 * 1024;

/** Relays every message the sink accepts to Redis. Returns a function that stops relaying. */
export function relayMail(sink: MailSink, redis: Redis, onError: (e: Error) => void = () => undefined): () => void {
  return sink.onMessage((mail) => {
    const stored = JSON.stringify({ ...mail, text: mail.text.slice(0, MAX_BODY_CHARS), html: mail.html?.slice(0, MAX_BODY_CHARS) ?? null });
    const batch = redis.multi();
    for (const address of mail.to) {
      const key = mailKey(address);
      batch.rpush(key, stored).ltrim(key, -PER_ADDRESS, -1).expire(key, MAIL_TTL_S).publish(MAIL_CHANNEL, address.toLowerCase());
    }
    batch.exec().catch(onError);
  });
}

interface Waiter {
  check: () => Promise<void>;
}

/** A worker's view of the relayed inboxes: the same `waitFor` as the sink's. */
export class RedisMailbox implements Mailbox {
  #waiters = new Map<string, Set<Waiter>>();
  #ready: Promise<unknown>;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
  ) {
    this.#ready = subscriber.subscribe(MAIL_CHANNEL);
    subscriber.on('message', (channel: string, address: string) => {
      if (channel !== MAIL_CHANNEL) return;
      for (const w of this.#waiters.get(address) ?? []) void w.check();
    });
  }

  close(): void {
    this.subscriber.disconnect();
  }

  async #find(key: string, accepts: (m: ReceivedEmail) => boolean): Promise<ReceivedEmail | null> {
    const list = await this.redis.lrange(key, 0, -1);
    for (const raw of list) {
      const mail = JSON.parse(raw) as ReceivedEmail;
      if (accepts(mail)) return mail;
    }
    return null;
  }

  async waitFor(address: string, options: WaitForEmailOptions): Promise<ReceivedEmail> {
    const lower = address.toLowerCase();
    const key = mailKey(lower);
    const accepts = (m: ReceivedEmail): boolean =>
      m.receivedAt >= options.since && m.id > (options.afterId ?? 0) && (!options.subject || options.subject(m.subject));
    await this.#ready;
    return new Promise<ReceivedEmail>((resolve, reject) => {
      let settled = false;
      const set = this.#waiters.get(lower) ?? new Set<Waiter>();
      this.#waiters.set(lower, set);
      const done = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        set.delete(waiter);
        if (set.size === 0) this.#waiters.delete(lower);
        return true;
      };
      const waiter: Waiter = {
        check: () =>
          this.#find(key, accepts).then(
            (mail) => void (mail && done() && resolve(mail)),
            (e: Error) => void (done() && reject(e)),
          ),
      };
      const onAbort = (): void => void (done() && reject(options.signal?.reason ?? new Error('aborted')));
      const timer = setTimeout(() => {
        if (done()) reject(emailTimeout(address, options.timeoutMs));
      }, options.timeoutMs);
      // Listen first, then look: a message arriving in between is seen by one or the other.
      set.add(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      void waiter.check();
    });
  }
}
