// Network cohorts: each person is on a network profile by share, throttled in their own browser
// context, and the summary splits every step's funnel and timings by profile. Checked on a real
// site in real Chromium: a navigation on 3g takes at least three times as long as on the
// machine's own network, the shares come out within one person of the request, and a scenario's
// own emulateNetworkConditions step still decides the conditions from where it stands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetwork, parseScenario, type RunPlan, type RunSummary } from '../../schema/index.js';
import { cohortSizes, networkOf } from '../../server/src/engine/network.js';
import { replay } from '../../server/src/engine/replay.js';
import { markdownReport } from '../../server/src/report/markdown.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { turnout } from '../helpers/cli.js';
import { serveFixtures, type Served } from '../helpers/servers.js';
import { DEMO_ID, startTestServer } from '../helpers/turnout-server.js';

let site: Served;
let sink: MailSink;
/** A page of about 120 kB, as a form page with its inline scripts and styles might be. */
const FILLER = `<p>${'Terms and conditions of the enrollment. '.repeat(3000)}</p>`;

beforeAll(async () => {
  site = await serveFixtures((app) => {
    app.get('/start', (_req, res) => void res.send(`<title>Start</title><h1>Enroll</h1>${FILLER}<a href="/next">Continue</a>`));
    app.get('/next', (_req, res) => void res.send(`<title>Next</title><h1>Your details</h1>${FILLER}`));
  });
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

const enroll = () =>
  parseScenario({
    title: 'enroll',
    steps: [
      { type: 'navigate', name: 'open', url: `${site.url}/start` },
      { type: 'click', name: 'continue', selectors: [['aria/Continue[role="link"]'], ['a']], assertedEvents: [{ type: 'navigation', url: `${site.url}/next`, title: 'Next' }] },
      { type: 'waitForElement', selectors: [['h1']] },
    ],
  });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const planFor = (text: string, total: number): RunPlan => ({ network: parseNetwork(text), total }) as RunPlan;

describe('network cohorts', () => {
  it('are read from "profile:share" text, with errors that name the cohort', () => {
    expect(parseNetwork('none:60,4g:30,3g:10')).toEqual([{ profile: 'none', share: 60 }, { profile: '4g', share: 30 }, { profile: '3g', share: 10 }]);
    expect(parseNetwork('slow-3g')).toEqual([{ profile: 'slow-3g', share: 1 }]);
    expect(parseNetwork('none:50,5g:50')).toEqual({ error: 'unknown network profile "5g" (cohort 2); known: none, 4g, 3g, slow-3g' });
    expect(parseNetwork('3g:-1')).toEqual({ error: 'the share of "3g" (cohort 1) must be a positive number, got "-1"' });
    expect(parseNetwork('3g:1,3g:2')).toEqual({ error: '"3g" is given twice' });
    expect(parseNetwork('3g:1:2')).toEqual({ error: '"3g:1:2" (cohort 1) should be profile:share, e.g. 3g:10' });
  });

  it('give each profile its share within one person, spread over the run', () => {
    for (const total of [1, 2, 7, 10, 33, 100, 1001]) {
      for (const text of ['none:60,4g:30,3g:10', 'none:50,3g:50', '4g:1,3g:1,slow-3g:1']) {
        const cohorts = parseNetwork(text) as { profile: string; share: number }[];
        const sum = cohorts.reduce((a, c) => a + c.share, 0);
        const plan = planFor(text, total);
        const people = Array.from({ length: total }, (_, k) => networkOf(plan, k + 1));
        expect(cohortSizes(cohorts as never, total).reduce((a, b) => a + b)).toBe(total);
        for (const c of cohorts) {
          const got = people.filter((p) => p === c.profile).length;
          expect(Math.abs(got - (total * c.share) / sum), `${text}, ${total} people, ${c.profile}`).toBeLessThan(1);
        }
      }
    }
    // Interleaved: the first ten of a 50/50 run are five and five, never one cohort first.
    const plan = planFor('none:50,3g:50', 100);
    expect(Array.from({ length: 10 }, (_, k) => networkOf(plan, k + 1)).filter((p) => p === '3g')).toHaveLength(5);
  });

  it('make the 3g half at least three times slower on a navigation, split in the summary and reports', async () => {
    const options = { users: 10, concurrency: 2, baseUrl: site.url, sink, browsers: 1, artifactsDir: null };
    await replay(enroll(), { ...options, users: 1 }); // warm: the first run pays for cold caches
    const summary: RunSummary = await replay(enroll(), { ...options, network: [{ profile: 'none', share: 50 }, { profile: '3g', share: 50 }] });
    expect(summary.users).toMatchObject({ total: 10, passed: 10 });
    expect(summary.options.network).toEqual([{ profile: 'none', share: 50 }, { profile: '3g', share: 50 }]);
    const on = (profile: string) => summary.results.filter((p) => p.network === profile);
    expect([on('none').length, on('3g').length]).toEqual([5, 5]);
    for (const step of [0, 1]) {
      const split = summary.steps[step]!.byNetwork!;
      expect(Object.keys(split)).toEqual(['none', '3g']);
      // The summary's split is what the people say, profile by profile.
      expect(split['3g']!.p50Ms).toBe(median(on('3g').map((p) => p.steps[step]!.durationMs)));
      expect(split.none!.p50Ms).toBe(median(on('none').map((p) => p.steps[step]!.durationMs)));
      expect(split['3g']).toMatchObject({ reached: 5, passed: 5, failed: 0 });
      // One round trip on 3g is 563 ms, and 120 kB at 1.6 Mbit/s another 600.
      expect(split['3g']!.p50Ms!).toBeGreaterThanOrEqual(563 + 600);
    }
    // The click that loads the next page (the first navigation also starts the page's renderer,
    // which the network does not slow).
    const click = summary.steps[1]!.byNetwork!;
    expect(click['3g']!.p50Ms!, `3g ${click['3g']!.p50Ms} ms vs none ${click.none!.p50Ms} ms`).toBeGreaterThanOrEqual(3 * click.none!.p50Ms!);
    const md = markdownReport({ summary, thresholds: [], comparison: null, artifactsDir: null });
    expect(md).toContain('### Step timings by network');
    expect(md).toContain('| # | step | none (5) passed | none p50 | none p95 | 3g (5) passed | 3g p50 | 3g p95 |');
    // Without cohorts nobody is on a profile and there is no split.
    const plain = await replay(enroll(), { ...options, users: 2 });
    expect(plain.results.map((p) => p.network)).toEqual([null, null]);
    expect(plain.steps[0]!.byNetwork).toBeUndefined();
    expect(markdownReport({ summary: plain, thresholds: [], comparison: null, artifactsDir: null })).not.toContain('by network');
  }, 120_000);

  it("leave a scenario's own emulateNetworkConditions step in charge from where it stands", async () => {
    const unthrottled = parseScenario({
      title: 'enroll on a fast line',
      steps: [{ type: 'emulateNetworkConditions', download: -1, upload: -1, latency: 0 }, ...enroll().steps],
    });
    const options = { users: 2, concurrency: 2, baseUrl: site.url, sink, browsers: 1, artifactsDir: null, network: [{ profile: '3g' as const, share: 1 }] };
    const throttled = await replay(enroll(), options);
    const lifted = await replay(unthrottled, options);
    expect([throttled.users.passed, lifted.users.passed]).toEqual([2, 2]);
    expect(throttled.steps[0]!.p50Ms!).toBeGreaterThanOrEqual(563);
    expect(lifted.steps[1]!.p50Ms!, 'the navigation after the step lifted the 3g profile').toBeLessThan(563);
  }, 60_000);

  it('are asked for on the command line and through the API; a bad one is named', async () => {
    const bad = await turnout(['replay', 'scenarios/demo-enrollment.json', '--network', 'none:50,5g:50']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown network profile "5g" (cohort 2); known: none, 4g, 3g, slow-3g');
    expect(bad.stderr.split('\n').filter(Boolean).length, bad.stderr).toBeLessThanOrEqual(2);
    const t = await startTestServer();
    try {
      const refused = await t.post<{ error: string }>('/api/runs', { scenario: DEMO_ID, network: '4g:ten' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatch(/network: .*the share of "4g" \(cohort 1\) must be a positive number, got "ten"/);
      const run = await t.post<{ id: string }>('/api/runs', { scenario: DEMO_ID, baseUrl: t.site.url, users: 2, network: 'none:1,4g:1' });
      expect(run.status).toBe(202);
      await t.waitForRun(run.body.id);
      const summary = await t.get<RunSummary>(`/api/runs/${run.body.id}`);
      expect(summary.options.network).toEqual([{ profile: 'none', share: 1 }, { profile: '4g', share: 1 }]);
      expect(summary.results.map((p) => p.network).sort()).toEqual(['4g', 'none']);
      expect(Object.keys(summary.steps[0]!.byNetwork!)).toEqual(['none', '4g']);
    } finally {
      await t.close();
    }
  }, 120_000);
});
