// Trends across runs and selector drift, from the server's own store. A page whose button id is
// regenerated between two runs: the second run still passes, on a later candidate, and the step
// is flagged as drifting — by the API and by `turnout drift`. The trends equal what each stored
// run's summary says, computed here independently.
import type { Express } from 'express';
import { chromium } from 'playwright-core';
import { findChromium } from '../../server/src/engine/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary, ScenarioInfo, ScenarioTrends } from '../../schema/index.js';
import { turnout } from '../helpers/cli.js';
import { serveFixtures, type Served } from '../helpers/servers.js';
import { startTestServer, type TestServer } from '../helpers/turnout-server.js';

let t: TestServer;
let site: Served;
/** The id the page gives its button now: a build that regenerates ids changes it. */
let buttonId = 'join-7f3a';

beforeAll(async () => {
  site = await serveFixtures((app: Express) => {
    app.get('/plan', (_req, res) => void res.send(`<title>Plan</title><h1>Your plan</h1><button id="${buttonId}" onclick="location.href='/joined'">Join</button>`));
    app.get('/joined', (_req, res) => void res.send('<title>Joined</title><h1>Welcome aboard</h1>'));
  });
  t = await startTestServer();
});

afterAll(async () => {
  await t?.close();
  await site?.close();
});

describe('trends and drift', () => {
  it('follow each step run after run, and flag a step whose first selector candidate stopped matching', async () => {
    const created = await t.post<ScenarioInfo>('/api/scenarios', {
      title: 'join a plan',
      steps: [
        { type: 'navigate', url: `${site.url}/plan` },
        { type: 'click', name: 'join', selectors: [[`#${buttonId}`], ['aria/Join[role="button"]'], ['button']], assertedEvents: [{ type: 'navigation', url: `${site.url}/joined`, title: 'Joined' }] },
        { type: 'waitForElement', selectors: [['aria/Welcome aboard[role="heading"]']] },
      ],
    });
    const id = created.body.id;
    const runIds: string[] = [];
    for (const regenerated of [false, false, true]) {
      if (regenerated) buttonId = 'join-c41d';
      const run = await t.post<{ id: string }>('/api/runs', { scenario: id, users: 3 });
      await t.waitForRun(run.body.id);
      runIds.push(run.body.id);
    }
    const summaries = await Promise.all(runIds.map((r) => t.get<RunSummary>(`/api/runs/${r}`)));
    expect(summaries.map((s) => s.users.passed)).toEqual([3, 3, 3]);

    const trends = await t.get<ScenarioTrends>(`/api/scenarios/${id}/trends?last=10`);
    expect(trends.runs.map((r) => r.id)).toEqual(runIds);
    // Each point is what that run's own summary says about the step.
    for (const step of trends.steps) {
      expect(step.points).toEqual(
        summaries.map((s) => {
          const st = s.steps[step.index]!;
          return { runId: s.runId, reached: st.reached, passRate: st.passed / st.reached, p50Ms: st.p50Ms, p95Ms: st.p95Ms, failures: st.failures };
        }),
      );
    }
    const join = trends.steps[1]!;
    expect(join.drift).toEqual({ firstCandidate: '#join-7f3a', firstShare: [1, 1, 0], drifting: true });
    expect(trends.steps[2]!.drift).toMatchObject({ firstShare: [1, 1, 1], drifting: false });
    expect(trends.steps[0]!.drift).toBeNull();
    // The people of the last run were served by the next candidate, as the summary says.
    expect(summaries[2]!.results.map((p) => p.steps[1]!.matchedSelector)).toEqual(['aria/Join[role="button"]', 'aria/Join[role="button"]', 'aria/Join[role="button"]']);

    const cli = await turnout(['drift', id, '--server', t.server.url]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/^1 +click "Join" +#join-7f3a +100% 100% 0% +DRIFTING$/m);
    expect(cli.stdout).toContain('1 step(s) drifting');
    const missing = await turnout(['drift', 'nope', '--server', t.server.url]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `turnout: ${t.server.url} has no scenario "nope" (GET /api/scenarios lists them)`]);
    const bad = await fetch(`${t.server.url}/api/scenarios/${id}/trends?last=0`);
    expect(bad.status).toBe(400);

    // The trends page: the verdicts along the top, a chart per step, the drifting step said so;
    // a run on the strip opens that run.
    const browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${t.server.url}/#/trends/${id}`);
      await expect.poll(() => page.locator('to-trends [data-chart] canvas').count()).toBe(3);
      expect(await page.getByRole('navigation', { name: 'Run verdicts' }).getByRole('link').count()).toBe(3);
      expect(await page.getByRole('region', { name: 'Step 1 click "Join"' }).textContent()).toContain('drifting: it stopped finding the element');
      expect(await page.getByRole('region', { name: 'Step 2' + ' ' + trends.steps[2]!.title }).textContent()).toContain('served 100 %');
      await page.getByRole('navigation', { name: 'Run verdicts' }).getByRole('link').first().click();
      await page.waitForURL(`**/#/runs/${runIds[0]}`);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
