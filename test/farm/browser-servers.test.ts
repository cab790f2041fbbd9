// Remote browsers: two real Playwright browser servers (`launchServer` on Debian's Chromium) as
// --browser-endpoint targets. People spread over both by capacity; a server that goes away
// mid-run turns its people into `infrastructure` failures and the run still ends.
import { readFileSync } from 'node:fs';
import { chromium, type BrowserServer } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import { parseEndpoint } from '../../server/src/engine/browser-pool.js';
import { CHROMIUM_ARGS, findChromium } from '../../server/src/engine/chromium.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { chromiumAfterExit, chromiumProcesses, serveFixtures } from '../helpers/servers.js';

const scenario = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));

describe('Playwright browser servers as remote endpoints', () => {
  let servers: BrowserServer[] = [];
  let sink: MailSink;
  let site: DemoSite;
  const chromiumBefore = chromiumProcesses();
  const launch = (): Promise<BrowserServer> => chromium.launchServer({ executablePath: findChromium('headless-shell')!.executablePath, args: CHROMIUM_ARGS, headless: true });
  const hostOf = (s: BrowserServer): string => new URL(s.wsEndpoint()).host;

  beforeAll(async () => {
    sink = new MailSink({ port: 0 });
    await sink.start();
    site = await startDemoSite(0, { smtpPort: sink.port });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    await site?.close();
    await sink?.stop();
  });

  it('spreads people over both servers by capacity', async () => {
    servers = await Promise.all([launch(), launch()]);
    const summary = await replay(scenario, {
      users: 8,
      concurrency: 4,
      baseUrl: site.url,
      sink,
      browserEndpoints: servers.map((s) => `${s.wsEndpoint()}#capacity=2`),
    });
    expect(summary.users).toEqual({ total: 8, passed: 8, failed: 0, infrastructure: 0 });
    expect(summary.options.browser).toBe('remote');
    expect(summary.options.browsers).toBe(2);
    for (const server of servers) {
      const here = summary.results.filter((r) => r.worker?.endsWith(` via ${hostOf(server)}`));
      expect(here.length).toBeGreaterThanOrEqual(2);
    }
  }, 120_000);

  it('fails the people of a server that stops as infrastructure, and the run still ends', async () => {
    const [kept, lost] = servers as [BrowserServer, BrowserServer];
    // The server goes away once four people at once are past their second step: some of them run
    // there (the pool spreads by load; a context released a moment late can make it 3 and 1),
    // mid-flow, whatever the machine's speed. Those four are the ones to check, person by person.
    const midFlow = new Set<number>();
    let atClose: number[] = [];
    let closed = false;
    const summary = await replay(
      scenario,
      { users: 12, concurrency: 4, baseUrl: site.url, sink, personDeadlineMs: 60_000, browserEndpoints: [kept.wsEndpoint(), lost.wsEndpoint()] },
      {
        beforeEachStep: (person, step) => {
          if (step !== 2 || closed) return;
          midFlow.add(person);
          if (midFlow.size === 4) void ((closed = true), (atClose = [...midFlow]), lost.close());
        },
        onPersonFinished: (result) => void midFlow.delete(result.user),
      },
    );
    expect(closed).toBe(true);
    expect(summary.users.total).toBe(12);
    const infrastructure = summary.results.filter((r) => r.errorClass === 'infrastructure');
    // Exactly the people mid-flow on the lost server when it went away, and at least one of them.
    const onLost = summary.results.filter((r) => atClose.includes(r.user) && r.worker?.includes(`via ${hostOf(lost)}`));
    expect(onLost.length).toBeGreaterThan(0);
    const seen = JSON.stringify(summary.results.filter((r) => atClose.includes(r.user)).map((r) => [r.user, r.worker, r.status, r.errorClass, r.error]));
    expect(infrastructure.map((r) => r.user).sort((a, b) => a - b), `mid-flow at the close: ${seen}`).toEqual(onLost.map((r) => r.user).sort((a, b) => a - b));
    // Only the lost server's people failed, and for the farm's reason, not the application's.
    expect(summary.users.failed).toBe(infrastructure.length);
    for (const r of infrastructure) {
      expect(r.worker).toContain(`via ${hostOf(lost)}`);
      expect(r.error).toBe(`the browser went away: browser server ${hostOf(lost)} closed the connection`);
    }
    // Everyone who started after the loss ran on the server that was left.
    expect(summary.results.filter((r) => r.status === 'passed' && r.worker?.endsWith(hostOf(kept))).length).toBeGreaterThan(3);
  }, 120_000);

  it('fails a person waiting for a new page as infrastructure when the server goes away under the wait', async () => {
    // The click is sent and its page never answers: the person is inside the step's navigation
    // wait when the server closes its pages, seconds before its connection reports the loss.
    const hanging = new Set<import('node:http').ServerResponse>();
    const app = await serveFixtures((a) => {
      a.get('/form', (_req, res) => void res.send('<title>Form</title><form method="post" action="/hang"><button>Send</button></form>'));
      a.post('/hang', (_req, res) => void hanging.add(res));
    });
    const server = await launch();
    servers.push(server);
    try {
      const waiting = parseScenario({
        title: 'a send that never answers',
        steps: [
          { type: 'navigate', url: `${app.url}/form`, assertedEvents: [{ type: 'navigation', url: `${app.url}/form`, title: 'Form' }] },
          { type: 'click', selectors: [['aria/Send[role="button"]'], ['button']], assertedEvents: [{ type: 'navigation', url: `${app.url}/done`, title: 'Done' }] },
        ],
      });
      const summary = await replay(
        waiting,
        { users: 1, concurrency: 1, baseUrl: app.url, sink, stepTimeoutMs: 20_000, browserEndpoints: [server.wsEndpoint()] },
        { beforeEachStep: (_person, step) => void (step === 1 && setTimeout(() => void server.close(), 1500)) },
      );
      const [person] = summary.results;
      expect([person?.status, person?.errorClass, person?.failedStep, person?.error]).toEqual(['failed', 'infrastructure', 1, `the browser went away: browser server ${hostOf(server)} closed the connection`]);
    } finally {
      for (const res of hanging) res.destroy();
      await app.close();
    }
  }, 60_000);

  it('says what is wrong with a malformed endpoint', () => {
    expect(() => parseEndpoint('http://host:3000/x')).toThrow('--browser-endpoint http://host:3000/x: expected a ws:// or wss:// address');
    expect(() => parseEndpoint('ws://host:3000/x#capacity=0')).toThrow('capacity must be a whole number ≥ 1');
    expect(parseEndpoint('ws://host:3000/x#capacity=4')).toEqual({ url: 'ws://host:3000/x', capacity: 4 });
  });

  it('leaves no Chromium behind once the servers are closed', async () => {
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    servers = [];
    expect(await chromiumAfterExit(chromiumBefore)).toBe(chromiumBefore);
  });
});
