// A person's inbox as the engine sees it: wait for a message to an address. The sink on this
// machine is one; its relay through Redis on a farm worker is another. No SMTP here.
import type { EmailLink } from './links.js';

export interface ReceivedEmail {
  id: number;
  to: string[];
  from: string | null;
  subject: string;
  text: string;
  html: string | null;
  links: EmailLink[];
  /** Epoch milliseconds when the sink finished receiving the message. */
  receivedAt: number;
}

export interface WaitForEmailOptions {
  /** Only messages received at or after this epoch-ms time count. */
  since: number;
  /** Only messages newer than this one count (a second email in the same flow). */
  afterId?: number;
  subject?: (subject: string) => boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Where a person's mail is waited for: the sink itself, or its relay on a farm worker. */
export interface Mailbox {
  waitFor(address: string, options: WaitForEmailOptions): Promise<ReceivedEmail>;
}

export class EmailTimeoutError extends Error {
  override name = 'EmailTimeoutError';
}

/** `refused`: why the sink turned away a message to this address, when it did. */
export function emailTimeout(address: string, timeoutMs: number, refused: string | null = null): EmailTimeoutError {
  return new EmailTimeoutError(`no email for ${address} within ${Number((timeoutMs / 1000).toFixed(1))} s${refused ? ` (the sink refused a message to it: ${refused})` : ''}`);
}
