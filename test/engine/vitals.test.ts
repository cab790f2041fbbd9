// Web Vitals per step, measured in the page by the web-vitals library and attributed to the step
// that loaded the page or made the interaction. The test site behaves as real ones do: a banner
// pushed in by a script after load shifts the form (CLS), a hero image arrives 1.5 s late (LCP),
// a button's handler blocks the main thread (INP). Checked person by person, in the summary,
// through thresholds on the command line, and that the page's own globals never see the library.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type RunSummary } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { junitReport } from '../../server/src/report/junit.js';
import { turnout } from '../helpers/cli.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

let site: Served;
let sink: MailSink;

/** A photo-like image: busy enough (bytes per pixel) that Chromium counts it for LCP. */
const HERO = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400">${Array.from({ length: 300 }, (_, i) => `<rect x="${(i * 37) % 600}" y="${(i * 53) % 400}" width="40" height="30" fill="#${((i * 2654435761) % 16777216).toString(16).padStart(6, '0')}"/>`).join('')}</svg>`;
const HERO_DELAY_MS = 1500;

beforeAll(async () => {
  site = await serveFixtures((app) => {
    app.get('/start', (_req, res) => void res.send('<title>Start</title><h1>Enroll</h1><a href="/details">Continue</a>'));
    // A script pushes a banner in above the form 300 ms after load: the form jumps down.
    app.get('/details', (_req, res) =>
      void res.send(`<title>Details</title><h1>Your details</h1><form style="height:500px"><label>Name <input name="n"></label></form><a href="/hero">Next</a>
<script>setTimeout(() => document.querySelector('h1').insertAdjacentHTML('afterend', '<div id="banner" style="height:400px;background:#fd0">Service notice</div>'), 300)</script>`),
    );
    app.get('/hero', (_req, res) =>
      void res.send(`<title>Plans</title><h1>Choose a plan</h1><img src="/hero.svg" width="600" height="400" alt="plans">
<button onclick="const t = performance.now(); while (performance.now() - t < 250); document.querySelector('output').textContent = 'Eligible'">Check eligibility</button><output></output>`),
    );
    app.get('/hero.svg', (_req, res) => void setTimeout(() => res.type('image/svg+xml').send(HERO), HERO_DELAY_MS));
  });
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

const steps = () => [
  { type: 'navigate', name: 'start', url: `${site.url}/start` },
  { type: 'click', name: 'continue', selectors: [['aria/Continue[role="link"]']], assertedEvents: [{ type: 'navigation', url: `${site.url}/details`, title: 'Details' }] },
  { type: 'waitForElement', name: 'banner', selectors: [['#banner']] },
  { type: 'click', name: 'hero', selectors: [['aria/Next[role="link"]']], assertedEvents: [{ type: 'navigation', url: `${site.url}/hero`, title: 'Plans' }] },
  { type: 'click', name: 'check', selectors: [['aria/Check eligibility[role="button"]']] },
  { type: 'waitForElement', name: 'eligible', selectors: [['text/Eligible']] },
  // The library lives in its own world: the page's scripts see neither it nor its binding.
  { type: 'waitForExpression', name: 'untouched', expression: "typeof webVitals === 'undefined' && !('__turnoutVital' in window) && Object.keys(window).every((k) => !/vital/i.test(k))" },
];
const scenario = () => parseScenario({ title: 'enroll with a plan', steps: steps() });

describe('Web Vitals per step', () => {
  it("are each step's own: the shift on the page that shifts, the late image's LCP on the step that loaded it, INP on the slow click", async () => {
    const summary: RunSummary = await replay(scenario(), { users: 3, concurrency: 3, baseUrl: site.url, sink, browsers: 1, artifactsDir: null });
    expect(summary.users).toMatchObject({ total: 3, passed: 3 });
    for (const person of summary.results) {
      const v = person.steps.map((s) => s.vitals);
      const who = `person ${person.user}: ${JSON.stringify(v)}`;
      // Each page load is measured on the step that loaded it, and only there.
      for (const load of [0, 1, 3]) expect(v[load]?.ttfbMs, who).toBeGreaterThanOrEqual(0);
      for (const load of [0, 1, 3]) expect(v[load]?.fcpMs, who).toBeGreaterThan(0);
      for (const none of [2, 5, 6]) expect(v[none]?.lcpMs, who).toBeUndefined();
      expect(v[1]!.cls!, who).toBeGreaterThan(0.1);
      expect(v[0]!.cls!, who).toBeLessThan(0.01);
      expect(v[3]!.cls!, who).toBeLessThan(0.01);
      expect(v[3]!.lcpMs!, who).toBeGreaterThanOrEqual(HERO_DELAY_MS);
      expect(v[0]!.lcpMs!, who).toBeLessThan(HERO_DELAY_MS);
      expect(v[4]?.inpMs, who).toBeGreaterThanOrEqual(250);
    }
    // The summary's percentiles are over the people, step by step.
    const s = summary.steps;
    expect(s[1]!.vitals!.cls!.p50).toBeGreaterThan(0.1);
    expect(s[3]!.vitals!.lcp!.p95Ms).toBe(Math.max(...summary.results.map((p) => p.steps[3]!.vitals!.lcpMs!)));
    expect(s[4]!.vitals!.inp!.p50Ms).toBeGreaterThanOrEqual(250);
    expect(s[2]!.vitals).toBeUndefined();
    expect(junitReport({ summary, thresholds: [], comparison: null, artifactsDir: null })).toMatch(/<property name="lcp_p95_ms" value="\d+"\/>/);
  }, 90_000);

  it('breach thresholds on the command line (exit 3), and are not measured with --no-vitals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnout-vitals-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify({ title: 'enroll with a plan', steps: steps() }));
    const common = ['replay', file, '--smtp-port', '0', '--data', join(dir, 'data')];
    const run = await turnout([...common, '--threshold', 'step[*].cls_p95<0.1', '--threshold', 'step[hero].lcp_p95<1s', '--threshold', 'step[start].lcp_p95<2.5s', '--summary-json', join(dir, 'with.json')]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toContain('✗ BREACHED  step[*].cls_p95<0.1 — step 1 ');
    expect(run.stdout).toMatch(/✗ BREACHED {2}step\[hero\]\.lcp_p95<1s — step 3 .*: lcp_p95 = \d+ ms/);
    expect(run.stdout).toMatch(/✓ held +step\[start\]\.lcp_p95<2\.5s — step 0 .*: lcp_p95 = \d+ ms/);
    expect(run.stdout).toContain('Web Vitals (p50 / p95 of the people who passed):');
    const off = await turnout([...common, '--no-vitals', '--summary-json', join(dir, 'without.json')]);
    expect(off.code, off.stderr).toBe(0);
    const without = JSON.parse(readFileSync(join(dir, 'without.json'), 'utf8')) as RunSummary;
    expect(without.options.vitals).toBe(false);
    expect(without.steps.every((st) => st.vitals === undefined)).toBe(true);
    expect(without.results[0]!.steps.every((st) => st.vitals === undefined)).toBe(true);
  }, 120_000);
});
