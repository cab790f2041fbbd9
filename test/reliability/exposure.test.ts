// Who can reach a Turnout server: loopback by default; beyond it only with a token, which then
// guards the API, metrics, screenshots and socket.io; pages on other sites get nothing.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { ReplayInputError } from '../../server/src/engine/errors.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { serveFixtures } from '../helpers/servers.js';
import { CHROMIUM_ARGS, findChromium } from '../../server/src/engine/chromium.js';
import { startServer, type RunningServer } from '../../server/src/http/server.js';

const TOKEN = 'nightly-farm-token-4711';
const dataDir = () => mkdtempSync(join(tmpdir(), 'turnout-exposure-'));

describe('binding', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startServer({ port: 0, smtpPort: 0, dataDir: dataDir(), host: '0.0.0.0' })).rejects.toThrow(ReplayInputError);
    await expect(startServer({ port: 0, smtpPort: 0, dataDir: dataDir(), host: '0.0.0.0' })).rejects.toThrow('refusing to listen on 0.0.0.0 without a token');
  });
});

describe('a server with a token', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // Loopback here (tests never listen beyond it); the token is what is under test.
    server = await startServer({ port: 0, smtpPort: 0, dataDir: dataDir(), token: TOKEN });
  });
  afterAll(async () => server?.close());

  it('answers the API, metrics and artifacts only with the token', async () => {
    for (const path of ['/api/scenarios', '/api/runs', '/metrics', '/artifacts/screenshots/x.png']) {
      expect((await fetch(server.url + path)).status, path).toBe(401);
      expect((await fetch(server.url + path, { headers: { authorization: 'Bearer wrong' } })).status, path).toBe(401);
    }
    expect((await fetch(`${server.url}/api/scenarios`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(await (await fetch(`${server.url}/api/health`)).json()).toMatchObject({ ok: true, auth: true });
  });

  it('lets socket.io in only with the token', async () => {
    const refused = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await expect(new Promise((_, reject) => refused.once('connect_error', reject))).rejects.toThrow('this Turnout server needs a token');
    refused.disconnect();
    const allowed = io(server.url, { transports: ['websocket'], forceNew: true, auth: { token: TOKEN } });
    await new Promise<void>((resolve) => allowed.once('connect', resolve));
    allowed.disconnect();
  });

  it('signs the dashboard in once, then everything works through a same-site cookie', async () => {
    const browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      const form = page.getByRole('form', { name: 'Sign in' });
      await form.getByLabel('Token').fill(TOKEN);
      await form.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Scenarios' }).waitFor();
      expect(await page.getByRole('form', { name: 'Sign in' }).count()).toBe(0);
      expect(await page.evaluate(() => fetch('/api/runs').then((r) => r.status))).toBe(200);
      const cookie = (await page.context().cookies()).find((c) => c.name === 'turnout_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    } finally {
      await browser.close();
    }
  });
});

describe('pages on other sites', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, smtpPort: 0, dataDir: dataDir() });
  });
  afterAll(async () => server?.close());

  it('cannot open the socket or change anything, even on loopback without a token', async () => {
    const foreign = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin: 'http://evil.test' } });
    await expect(new Promise((_, reject) => foreign.once('connect_error', reject))).rejects.toThrow();
    foreign.disconnect();
    // What a form on another site can send: refused before it is read.
    const form = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"scenario":"demo","users":1}' });
    expect(form.status).toBe(415);
    // And no CORS is offered, so a script there cannot read answers either.
    const read = await fetch(`${server.url}/api/runs`, { headers: { origin: 'http://evil.test' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the farm as a way in', () => {
  it('blocks and reports requests to origins the scenario does not name', async () => {
    let internalHits = 0;
    const internal = await serveFixtures((app) => app.use((_req, res) => void (internalHits++, res.send('secret admin page'))));
    const target = await serveFixtures((app) =>
      app.get('/page', (_req, res) =>
        void res.send(`<!doctype html><title>t</title><img src="${internal.url}/pixel.png"><script>fetch('${internal.url}/admin').catch(() => {})</script><p id="ok">ok</p>`),
      ),
    );
    const sink = new MailSink({ port: 0 });
    await sink.start();
    try {
      const scenario = parseScenario({ title: 'reach in', steps: [{ type: 'navigate', url: `${target.url}/page` }, { type: 'waitForElement', selectors: ['#ok'] }] });
      const summary = await replay(scenario, { users: 2, sink, browsers: 1 });
      expect(summary.users.passed).toBe(2);
      for (const r of summary.results) expect(r.blocked[internal.url]).toBeGreaterThanOrEqual(2);
      expect(internalHits).toBe(0);
      // Allowed by configuration, the same origin is reached.
      const allowed = await replay(scenario, { users: 1, sink, browsers: 1, allowOrigins: [internal.url] });
      expect(allowed.results[0]!.blocked).toEqual({});
      expect(internalHits).toBeGreaterThanOrEqual(2);
    } finally {
      await sink.stop();
      await target.close();
      await internal.close();
    }
  });
  it('blocks every other way a page reaches out: WebSocket, redirect, another name or port of the same machine', async () => {
    // Chromium resolves every *.test name to this machine, so host-name tricks reach real servers.
    const server = await chromium.launchServer({ executablePath: findChromium('headless-shell')!.executablePath, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1'] });
    const hits: string[] = [];
    const internal = await listen((req, res) => void (hits.push(`${req.headers.host}${req.url}`), res.end('secret')));
    const target = await listen((req, res) => {
      if (req.headers.host !== `target.test:${target.port}`) return void (hits.push(`${req.headers.host}${req.url}`), res.end('secret'));
      if (req.url === '/go-inside') return void res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/redirected` }).end();
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>t</title>
        <img src="/go-inside"><img src="http://evil.target.test:${target.port}/sub"><img src="http://target.test.evil.test:${target.port}/longer">
        <img src="http://localhost:${internal.port}/by-name"><img src="http://127.0.0.1:${target.port}/by-address">
        <script>
          const open = (url) => new Promise((done) => { const ws = new WebSocket(url); ws.onopen = () => done('open'); ws.onerror = () => done('refused'); });
          Promise.all([open('ws://target.test:${target.port}/own'), open('ws://127.0.0.1:${internal.port}/inside')])
            .then(([own, inside]) => { document.querySelector('#ws').textContent = own + ' ' + inside; });
        </script><p id="ws"></p>`);
    });
    const sink = new MailSink({ port: 0 });
    await sink.start();
    try {
      const scenario = parseScenario({
        title: 'reach in',
        steps: [
          { type: 'navigate', url: `http://target.test:${target.port}/page` },
          { type: 'waitForElement', selectors: ['#ws:not(:empty)'] },
          { type: 'navigate', url: `http://target.test:${target.port}/go-inside` },
        ],
      });
      const summary = await replay(scenario, { users: 1, sink, browserEndpoints: [server.wsEndpoint()] });
      const [person] = summary.results;
      // The page's own WebSocket opened; the one to the internal service did not.
      expect(person!.steps[1]!.status).toBe('passed');
      expect(target.upgrades).toEqual(['/own']);
      expect(internal.upgrades).toEqual([]);
      // Nothing but the target's own origin was reached, however it was asked for.
      expect(hits).toEqual([]);
      expect(Object.keys(person!.blocked).sort()).toEqual(
        [`http://127.0.0.1:${internal.port}`, `http://127.0.0.1:${target.port}`, `http://evil.target.test:${target.port}`, `http://localhost:${internal.port}`, `http://target.test.evil.test:${target.port}`].sort(),
      );
      // A navigation the target redirects inside fails, and says why.
      expect(person!.status).toBe('failed');
      expect(person!.failedStep).toBe(2);
      expect(person!.errorClass).toBe('navigation-error');
      expect(person!.error).toBe(`http://127.0.0.1:${internal.port}/redirected is outside the allowed origins: blocked (allow it with --allow-origin)`);
    } finally {
      await sink.stop();
      await server.close();
      await target.close();
      await internal.close();
    }
  });
});

interface Listening {
  port: number;
  /** Paths of the WebSocket handshakes this server answered. */
  upgrades: string[];
  close: () => Promise<void>;
}

/** A plain HTTP server on loopback that also completes WebSocket handshakes. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server = createServer(handler);
  const upgrades: string[] = [];
  const sockets: Duplex[] = [];
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgrades.push(req.url ?? '');
    sockets.push(socket);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    upgrades,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
