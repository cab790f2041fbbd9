// Small real servers for tests: fixture pages over HTTP, Chromium process counting.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { MailSink } from '../../server/src/mail/sink.js';

export const FIXTURE_PAGES = fileURLToPath(new URL('../fixtures/pages', import.meta.url));

export interface Served {
  url: string;
  close: () => Promise<void>;
}

/** Serves test/fixtures/pages on a random loopback port, plus any extra routes. */
export async function serveFixtures(extra?: (app: express.Express) => void): Promise<Served> {
  const app = express();
  extra?.(app);
  app.use(express.static(FIXTURE_PAGES));
  return listening(app.listen(0, '127.0.0.1'));
}

/** A server once it listens: its address, and a close that does not wait for idle connections. */
async function listening(server: Server): Promise<Served> {
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A page-by-page test site from a plain request handler, on a random loopback port. */
export function serveHandler(handler: RequestListener): Promise<Served> {
  return listening(createServer(handler).listen(0, '127.0.0.1'));
}

/** Turnout's SMTP sink on a random loopback port, started. */
export async function startedSink(): Promise<MailSink> {
  const sink = new MailSink({ port: 0 });
  await sink.start();
  return sink;
}

/** A site for arrival tests: /quick answers at once, /slow after 3 s (a site under load). */
export function serveQuickAndSlow(): Promise<Served> {
  return serveFixtures((app) => {
    app.get('/quick', (_req, res) => void res.send('<title>Quick</title><h1>Welcome</h1>'));
    app.get('/slow', (_req, res) => void setTimeout(() => res.send('<title>Slow</title><h1>Welcome</h1>'), 3000));
  });
}

/** Chromium processes running on this machine (any build). */
export function chromiumProcesses(): number {
  try {
    return Number(execFileSync('pgrep', ['-c', '-f', '/usr/lib/chromium/|chrome-linux|headless_shell']).toString().trim());
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

/** A loopback port that nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
