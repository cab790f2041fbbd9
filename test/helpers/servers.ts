// Small real servers for tests: fixture pages over HTTP, Chromium process counting.
import { readdirSync, readFileSync } from 'node:fs';
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

/** The environment variable that marks a test file's processes (set by test/helpers/mark.ts). */
export const FILE_MARK = 'TURNOUT_TEST_FILE';

/**
 * Chromium processes this test file started (any build): those launched from its own process, by a
 * Turnout CLI, server, worker or browser server it spawned, and those left running by any of them
 * after it died; not a browser someone has open on the same machine, nor another suite's.
 */
export function chromiumProcesses(): number {
  return ownChromium().length;
}

/** Chromium's command lines, any build: Debian's, Playwright's downloads. */
const CHROMIUM = /\/usr\/lib\/chromium\/|chrome-linux|headless_shell/;

/**
 * Sessions of this file's browsers seen so far: kept on globalThis under the file's mark, since the
 * files share one worker process one after another (vitest.config.ts) and the next file starts afresh.
 */
const SEEN = Symbol.for('turnout.test.chromiumSessions');
function seenSessions(): Set<number> {
  const mark = process.env[FILE_MARK];
  const shared = globalThis as unknown as Record<symbol, { mark: string | undefined; sessions: Set<number> } | undefined>;
  if (shared[SEEN]?.mark !== mark) shared[SEEN] = { mark, sessions: new Set() };
  return shared[SEEN]!.sessions;
}

/**
 * This file's Chromium processes (see chromiumProcesses), each with its command line: a browser
 * process has no `--type=`, its renderers `--type=renderer`. Playwright starts each browser in a
 * session of its own (the browser leads it) and the browser inherits the file's mark; its helpers
 * (zygotes, GPU, renderers) overwrite their environment with their title, so they are known by
 * their session: one whose leader is marked, or, once the leader is gone, one seen marked before.
 */
export function ownChromium(): { pid: number; args: string }[] {
  const mark = `${FILE_MARK}=${process.env[FILE_MARK]}\0`;
  const seen = seenSessions();
  const marked = new Map<number, boolean>();
  const leaderMarked = (session: number): boolean => {
    if (!marked.has(session)) {
      // A leader that has exited (gone, or a zombie with an empty environment): ours if it was before.
      let mine = seen.has(session);
      try {
        mine ||= readFileSync(`/proc/${session}/environ`, 'latin1').includes(mark);
      } catch {
        /* gone */
      }
      if (mine) seen.add(session);
      marked.set(session, mine);
    }
    return marked.get(session)!;
  };
  return runningChromium().filter(({ pid }) => {
    const session = statField(pid, 3);
    return session > 0 && leaderMarked(session);
  });
}

/** Every Chromium process running on this machine now (any build, anyone's), with its command line. */
export function runningChromium(): { pid: number; args: string }[] {
  return readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      return CHROMIUM.test(args) ? [{ pid: Number(pid), args }] : [];
    } catch {
      return []; // it exited meanwhile
    }
  });
}

/** The parent process of `pid` (0 once it has exited). */
export function parentOf(pid: number): number {
  return statField(pid, 1);
}

/** A number from /proc/PID/stat, counted after the command (1: parent, 3: session); 0 once it has exited. */
function statField(pid: number, field: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[field]);
  } catch {
    return 0;
  }
}

/** This file's headless-shell browser processes (not their renderers or helpers), oldest first. */
export function ownBrowserPids(): number[] {
  return ownChromium()
    .filter((p) => p.args.includes('chromium-headless-shell') && !p.args.includes('--type='))
    .map((p) => p.pid);
}

/** Kills (SIGKILL) this file's page renderers, as an out-of-memory kill would; returns the pids it found. */
export function killOwnRenderers(): number[] {
  const renderers = ownChromium()
    .filter((p) => p.args.includes('--type=renderer'))
    .map((p) => p.pid);
  for (const pid of renderers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* it closed with its page meanwhile */
    }
  }
  return renderers;
}

/** This file's Chromium count once its browsers have had up to `waitMs` to exit (down to `before`). */
export async function chromiumAfterExit(before: number, waitMs = 10_000): Promise<number> {
  for (const end = Date.now() + waitMs; chromiumProcesses() > before && Date.now() < end; ) await new Promise((r) => setTimeout(r, 200));
  return chromiumProcesses();
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
