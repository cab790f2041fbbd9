// How failures are classed, against small real pages: each class a release engineer acts on
// differently (the site's server, its network, the recording, the farm).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../schema/index.js';
import { ReplayInputError } from '../../server/src/engine/errors.js';
import { replay, type ReplayOptions } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { freePort, serveFixtures, type Served } from '../helpers/servers.js';

let site: Served;
let sink: MailSink;

beforeAll(async () => {
  site = await serveFixtures((app) => {
    app.get('/api/broken', (_req, res) => void res.status(503).send('down'));
    app.get('/api/never', () => undefined); // never answers
    app.get('/xhr-then-wait.html', (_req, res) =>
      void res.send(`<!doctype html><title>x</title><p id="s">loading</p>
<script>fetch('/api/broken').then(r => { if (r.ok) document.getElementById('s').textContent = 'ready'; });</script>`),
    );
    app.get('/hang.html', (_req, res) =>
      void res.send(`<!doctype html><title>x</title><script>fetch('/api/never')</script><p>waiting</p>`),
    );
  });
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

const scenario = (steps: unknown[]): Scenario => parseScenario({ title: 'failure classes', steps });
const runOne = async (s: Scenario, extra: Partial<ReplayOptions> = {}) =>
  (await replay(s, { users: 1, sink, browsers: 1, stepTimeoutMs: 1500, ...extra })).results[0]!;

describe('failure classes', () => {
  it('a server that refuses connections is a navigation-error', async () => {
    const person = await runOne(scenario([{ type: 'navigate', url: `http://127.0.0.1:${await freePort()}/` }]));
    expect(person).toMatchObject({ status: 'failed', failedStep: 0, errorClass: 'navigation-error' });
    expect(person.error).toContain('ERR_CONNECTION_REFUSED');
  });

  it('a page answered with 404 is an http-error with the status', async () => {
    const person = await runOne(scenario([{ type: 'navigate', url: `${site.url}/missing.html` }]));
    expect(person).toMatchObject({ errorClass: 'http-error', httpStatus: 404, error: 'GET /missing.html answered 404' });
  });

  it('a wait that fails after the page’s API answered 5xx is an http-error naming the request', async () => {
    const person = await runOne(
      scenario([{ type: 'navigate', url: `${site.url}/xhr-then-wait.html` }, { type: 'waitForElement', selectors: ['text/ready'] }]),
    );
    expect(person).toMatchObject({ failedStep: 1, errorClass: 'http-error' });
    expect(person.error).toMatch(/^GET \/api\/broken answered 503/);
    expect(person.httpProblems).toEqual(['GET /api/broken answered 503']);
  });

  it('a person past the deadline stops there, classed timeout', async () => {
    const t0 = Date.now();
    const person = await runOne(
      scenario([{ type: 'navigate', url: `${site.url}/hang.html` }, { type: 'waitForElement', selectors: ['#never'], timeout: 30_000 }]),
      { personDeadlineMs: 1500 },
    );
    expect(person).toMatchObject({ failedStep: 1, errorClass: 'timeout' });
    expect(person.error).toContain('person deadline of 1.5 s');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

});

describe('secrets', () => {
  const withSecret = scenario([
    { type: 'navigate', url: `${site?.url ?? 'http://127.0.0.1:1'}/selectors.html` },
    { type: 'change', selectors: ['#email'], value: '{{secret.PORTAL_PASSWORD}}' },
    { type: 'waitForElement', selectors: ['#email'], properties: { value: 'wrong' } },
  ]);

  it('a missing secret stops the run before it starts, naming the variable', async () => {
    await expect(replay(withSecret, { users: 1, sink, env: {} })).rejects.toThrow(ReplayInputError);
    await expect(replay(withSecret, { users: 1, sink, env: {} })).rejects.toThrow('set PORTAL_PASSWORD in the environment');
  });
});
