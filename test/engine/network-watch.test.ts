// What a person's network watch knows when a step fails, on pages built like real ones: dozens
// of images and scripts around the one request that matters, redirects, an error page Chromium
// draws itself. Real Chromium, real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { parseScenario } from '../../schema/index.js';
import { ASSET_IMAGE, ASSET_SCRIPT, furniture } from '../../scenarios/demo-site/pages.js';
import { findChromium } from '../../server/src/engine/chromium.js';
import { NetworkWatch } from '../../server/src/engine/network-watch.js';
import { chromium } from '../../server/src/engine/playwright.js';
import { replay } from '../../server/src/engine/replay.js';
import type { MailSink } from '../../server/src/mail/sink.js';
import { serveFixtures, startedSink, type Served } from '../helpers/servers.js';

let site: Served;
let sink: MailSink;
let browser: Browser;

beforeAll(async () => {
  site = await serveFixtures((app) => {
    // The demo site's furniture (its images and scripts), here each answered after `?delay` ms.
    app.get('/assets/:name', (req, res) => {
      setTimeout(() => {
        res.set('cache-control', 'no-store');
        if (req.params.name.endsWith('.js')) void res.type('text/javascript').send(ASSET_SCRIPT);
        else void res.type('image/png').send(ASSET_IMAGE);
      }, Number(req.query.delay ?? 0));
    });
    app.get('/api/never', () => undefined);
    app.get('/api/plans', (_req, res) => void res.status(503).send('down'));
    // The page's data comes first and fails; its pictures take their time, so the page finishes
    // loading (and the step that opened it passes) well after the 503.
    app.get('/plans.html', (_req, res) =>
      void res.send(`<!doctype html><title>Plans</title><h1>Plans</h1><p id="s">loading plans</p>
<script>fetch('/api/plans').then(r => { if (r.ok) document.getElementById('s').textContent = 'Plans ready'; });</script>
${Array.from({ length: 30 }, (_, k) => `<img src="/assets/${k}.png?delay=150" alt="">`).join('')}`),
    );
    app.get('/verify.html', (_req, res) =>
      void res.send(`<!doctype html><title>Verify</title><h1>Verifying your identity</h1>${furniture(60)}
<script>addEventListener('load', () => fetch('/api/never'));</script>`),
    );
    app.get('/heavy-ok.html', (_req, res) => void res.send(`<!doctype html><title>Welcome</title><h1>Welcome</h1>${furniture(60)}`));
    app.get('/opener.html', (_req, res) =>
      void res.send(`<!doctype html><title>Plan list</title><a href="/compare.html" target="_blank" rel="opener">Compare plans</a>`),
    );
    app.get('/compare.html', (_req, res) => void res.status(500).send(`<!doctype html><title>Error</title><h1>Something went wrong</h1>`));
    app.get('/moved', (_req, res) => void res.redirect(302, '/broken-empty'));
    app.get('/broken-empty', (_req, res) => void res.status(500).end());
  });
  sink = await startedSink();
  browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
});

afterAll(async () => {
  await browser?.close();
  await sink?.stop();
  await site?.close();
});

const isSite = (url: string): boolean => url.startsWith(site.url);

async function watched(): Promise<{ context: BrowserContext; watch: NetworkWatch }> {
  const context = await browser.newContext();
  const watch = new NetworkWatch(context, isSite);
  return { context, watch };
}

describe('the network watch', () => {
  it('follows documents through their navigated event, so no image or script of theirs costs the runner an event', async () => {
    const { context, watch } = await watched();
    const page = await context.newPage();
    await page.goto(`${site.url}/heavy-ok.html`);
    expect(watch.documentsBy).toBe('navigated');
    expect(watch).toMatchObject({ lastDocumentStatus: 200, lastDocument: 'GET /heavy-ok.html' });
    await context.close();
  });

  it('knows the status of a document reached through a redirect, even one Chromium draws its own error page for', async () => {
    const { context, watch } = await watched();
    const page = await context.newPage();
    await page.goto(`${site.url}/moved`);
    expect(watch).toMatchObject({ lastDocumentStatus: 500, lastDocument: 'GET /broken-empty' });
    await context.close();
  });

  it('names, among 60 images and scripts, only the request still unanswered — and no answer from before the window', async () => {
    const { context, watch } = await watched();
    const page = await context.newPage();
    await page.goto(`${site.url}/plans.html`);
    await page.waitForFunction(() => document.readyState === 'complete');
    const afterPlans = Date.now() + 1;
    await page.goto(`${site.url}/verify.html`);
    await page.waitForFunction(() => (window as unknown as { hmAssets?: number }).hmAssets === 15);
    await page.waitForTimeout(200); // the fetch sent on load has left
    expect(await watch.atFailure(afterPlans)).toEqual({ pending: ['GET /api/never'], httpProblems: [] });
    // From before the first page: the 503 its data got is in the window.
    expect((await watch.atFailure(0)).httpProblems).toEqual(['GET /api/plans answered 503']);
    await context.close();
  });
});

describe('people on pages built like real ones', () => {
  const run = (steps: unknown[]) =>
    replay(parseScenario({ title: 'heavy pages', steps }), { users: 2, sink, browsers: 1, stepTimeoutMs: 2500 }).then((r) => r.results);

  it('a page whose data answered 503 while its pictures still loaded fails its next step as an http-error naming the request', async () => {
    const people = await run([
      { type: 'navigate', url: `${site.url}/plans.html` },
      { type: 'waitForElement', selectors: ['text/Plans ready'] },
    ]);
    for (const person of people) {
      expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'http-error', httpStatus: 200 });
      expect(person.error).toMatch(/^GET \/api\/plans answered 503/);
      expect(person.httpProblems).toEqual(['GET /api/plans answered 503']);
    }
  });

  it('a heavy page that never answers its identity check is a timeout naming that request, not its images', async () => {
    const people = await run([
      { type: 'navigate', url: `${site.url}/verify.html` },
      { type: 'waitForElement', selectors: ['text/Identity verified'] },
    ]);
    for (const person of people) {
      expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'timeout' });
      expect(person.error).toMatch(/still waiting for GET \/api\/never$/);
    }
  });

  it('a redirect to an empty 500 is an http-error with the status of the page it ended on', async () => {
    const people = await run([{ type: 'navigate', url: `${site.url}/moved` }]);
    for (const person of people) expect(person).toMatchObject({ failedStep: 0, errorClass: 'http-error', httpStatus: 500, error: 'GET /broken-empty answered 500' });
  });

  it('a popup whose page answered 500 fails the step in it as an http-error with that status', async () => {
    const people = await run([
      { type: 'navigate', url: `${site.url}/opener.html` },
      { type: 'click', target: 'main', selectors: [['aria/Compare plans']] },
      { type: 'click', target: `${site.url}/compare.html`, selectors: [['aria/Pick Gold']] },
    ]);
    for (const person of people) {
      expect(person).toMatchObject({ failedStep: 2, errorClass: 'http-error', httpStatus: 500 });
      expect(person.error).toMatch(/^GET \/compare.html answered 500/);
    }
  });

  it('a person who gets through a heavy page ends with its status', async () => {
    const people = await run([{ type: 'navigate', url: `${site.url}/heavy-ok.html` }, { type: 'waitForElement', selectors: ['text/Welcome'] }]);
    for (const person of people) expect(person).toMatchObject({ status: 'passed', httpStatus: 200 });
  });
});
