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
    // Headers at once, then a body that never ends: answered, though Chromium never finishes it.
    app.get('/api/streaming', (_req, res) => void res.status(200).type('text/plain').write('partial'));
    app.post('/api/slow-ok', (_req, res) => void setTimeout(() => res.json({ ok: true }), 300));
    app.post('/api/enroll', (_req, res) => void setTimeout(() => res.status(500).json({ error: 'boom' }), 600));
    // Like the held-out enrollment: the final submit checks identity, then enrolls (500), while
    // a stream stays open and another request never answers.
    app.get('/enroll.html', (_req, res) =>
      void res.send(`<!doctype html><title>Enroll</title><button id="go">Submit</button><p id="s" role="status"></p>
<script>
  fetch('/api/streaming');
  document.getElementById('go').onclick = async () => {
    await fetch('/api/slow-ok', { method: 'POST' });
    const r = await fetch('/api/enroll', { method: 'POST' });
    document.getElementById('s').textContent = r.ok ? 'Enrolled' : 'Something went wrong, try again';
    fetch('/api/never');
  };
</script>`),
    );
    app.get('/stream-and-hang.html', (_req, res) =>
      void res.send(`<!doctype html><title>x</title><script>fetch('/api/streaming'); fetch('/api/never')</script><p>waiting</p>`),
    );
    app.get('/inbox.html', (_req, res) => void res.send(`<!doctype html><title>Inbox (12) · Welcome, Zed</title><h1>Inbox</h1>`));
    app.post('/register', (_req, res) =>
      void res.send(`<!doctype html><title>Register</title><h1>Register</h1><p role="alert">Error: this username is already registered</p>
<form method="post" action="/register"><label>Username <input name="u" required></label><button>Register</button></form>`),
    );
    app.get('/register', (_req, res) =>
      void res.send(`<!doctype html><title>Register</title><form method="post" action="/register"><label>Username <input name="u" value="taken"></label><button>Register</button></form>`),
    );
    // A page whose image never arrives never fires its load event; a button that leads nowhere.
    app.get('/img/never', () => undefined);
    app.get('/never-loads.html', (_req, res) => void res.send(`<!doctype html><title>Plans</title><h1>Plans</h1><img src="/img/never" alt="">`));
    app.get('/links.html', (_req, res) =>
      void res.send(`<!doctype html><title>Links</title><a id="plans" href="/never-loads.html">Plans</a><button id="dead" type="button">Continue</button>`),
    );
    app.get('/covered.html', (_req, res) =>
      void res.send(`<!doctype html><title>Pay</title><button id="covered" type="button">Pay</button><div style="position:fixed;inset:0;background:#fff8"></div>`),
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

  it('a 5xx during the step wins over requests still open, and an answered request is never "still waiting"', async () => {
    const person = await runOne(
      scenario([
        { type: 'navigate', url: `${site.url}/enroll.html` },
        { type: 'click', selectors: ['#go'] },
        { type: 'waitForElement', selectors: ['text/Enrolled'], timeout: 2500 },
      ]),
    );
    expect(person).toMatchObject({ failedStep: 2, errorClass: 'http-error', pageSays: 'Something went wrong, try again' });
    expect(person.error).toMatch(/^POST \/api\/enroll answered 500/);
    expect(person.error).not.toMatch(/streaming|slow-ok/);
  });

  it('a step that runs out of time names only the requests really unanswered', async () => {
    const person = await runOne(
      scenario([{ type: 'navigate', url: `${site.url}/stream-and-hang.html` }, { type: 'waitForElement', selectors: ['#never'] }]),
    );
    expect(person).toMatchObject({ failedStep: 1, errorClass: 'timeout' });
    expect(person.error).toContain('still waiting for GET /api/never');
    expect(person.error).not.toContain('/api/streaming');
  });

  it('a form re-rendered with an error at the same address is an unexpected-page, with the page’s words', async () => {
    const person = await runOne(
      scenario([
        { type: 'navigate', url: `${site.url}/register` },
        { type: 'click', selectors: ['button'], assertedEvents: [{ type: 'navigation', url: `${site.url}/register?sent`, title: 'Check your email' }] },
      ]),
    );
    expect(person).toMatchObject({ failedStep: 1, errorClass: 'unexpected-page', httpStatus: 200, pageSays: 'Error: this username is already registered' });
    expect(person.error).toBe("expected the page 'Check your email' (/register?sent), landed on 'Register' (/register)");
  });

  it('a landing page matches its recording with other counts and the person’s own name in the title', async () => {
    const person = await runOne(
      scenario([{ type: 'navigate', url: `${site.url}/inbox.html`, assertedEvents: [{ type: 'navigation', url: `${site.url}/inbox.html`, title: 'Inbox (3) · Welcome, *' }] }]),
    );
    expect(person).toMatchObject({ status: 'passed' });
    const elsewhere = await runOne(
      scenario([{ type: 'navigate', url: `${site.url}/inbox.html`, assertedEvents: [{ type: 'navigation', url: `${site.url}/outbox.html`, title: 'Inbox (3) · Welcome, *' }] }]),
    );
    expect(elsewhere).toMatchObject({ errorClass: 'unexpected-page', error: "expected the page 'Inbox (3) · Welcome, *' (/outbox.html), landed on 'Inbox (12) · Welcome, Zed' (/inbox.html)" });
  });

  it('a step that waits for its navigation says what never came: a new page, or the end of its loading', async () => {
    // A click on the links page that the recording saw lead to /never-loads.html.
    const clickExpectingPlans = (selector: string) =>
      runOne(
        scenario([
          { type: 'navigate', url: `${site.url}/links.html` },
          { type: 'click', selectors: [selector], assertedEvents: [{ type: 'navigation', url: `${site.url}/never-loads.html` }] },
        ]),
      );
    const neverLoads = await clickExpectingPlans('#plans');
    expect(neverLoads).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'timeout' });
    expect(neverLoads.error).toBe("the page /never-loads.html did not finish loading (no load event) within the step's 1.5 s");
    const nowhere = await clickExpectingPlans('#dead');
    expect(nowhere).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'timeout' });
    expect(nowhere.error).toBe("no new page came within the step's 1.5 s");
  });

  it('an element that is there but never takes the action says so, naming the candidate', async () => {
    const person = await runOne(scenario([{ type: 'navigate', url: `${site.url}/covered.html` }, { type: 'click', selectors: ['#covered'] }]));
    expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'timeout' });
    expect(person.error).toBe('found "#covered", but it did not take the click within the step\'s 1.5 s');
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
