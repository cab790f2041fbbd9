// The pure parts of a run's summary: the funnel from people, failure groups, step titles, the
// event codec, thresholds by class, and the comparison with last night.
import { describe, expect, it } from 'vitest';
import { applyEvent, hooksToEvents, IngestEvent, parseScenario, RunEvent, type PersonResult, type RunSummary } from '../../schema/index.js';
import { describeStep, explained, failureGroups, ms, pct } from '../../schema/present.js';
import { compareSummaries } from '../../server/src/report/compare.js';
import { evaluateThresholds, parseThreshold } from '../../server/src/report/thresholds.js';
import { buildSummary, percentile } from '../../server/src/runs/aggregate.js';

const scenario = parseScenario({
  title: 'sign-up',
  steps: [
    { type: 'navigate', url: 'http://x.test/' },
    { type: 'change', selectors: [['aria/Email']], value: '{{user.email}}' },
    { type: 'click', name: 'create', selectors: [['aria/Create account']] },
    { type: 'waitForElement', name: 'end-page', title: 'reached the end page', selectors: [['aria/Done[role="heading"]']] },
  ],
});

function person(user: number, failedAt: number | null, errorClass: PersonResult['errorClass'] = null, pageSays: string | null = null): PersonResult {
  const last = failedAt ?? 3;
  return {
    user, email: `p${user}@inbox.test`, status: failedAt === null ? 'passed' : 'failed', failedStep: failedAt, errorClass, error: failedAt === null ? null : `failed at ${failedAt}`,
    url: null, httpStatus: null, screenshot: null, trace: null, blocked: {}, pageSays, httpProblems: [], startedAt: '2026-12-01T00:00:00.000Z', durationMs: 1000, worker: null, network: null,
    steps: Array.from({ length: last + 1 }, (_, index) => ({ index, status: index === failedAt ? 'failed' : 'passed', startedAt: '2026-12-01T00:00:00.000Z', durationMs: 100 * (user + index), matchedSelector: null })),
  };
}

const people = [person(1, null), person(2, null), person(3, 2, 'unexpected-page', 'Error: this username is already registered'), person(4, 3, 'assertion-failed')];
const run = { runId: 'r1', startedAt: '2026-12-01T00:00:00.000Z', finishedAt: '2026-12-01T00:01:00.000Z', options: {} };

describe('the funnel', () => {
  const summary = buildSummary(scenario, run, people);

  it('counts who reached, passed and failed each step, by class', () => {
    expect(summary.steps.map((s) => [s.reached, s.passed, s.failed])).toEqual([[4, 4, 0], [4, 4, 0], [4, 3, 1], [3, 2, 1]]);
    expect(summary.steps[2]!.failures).toEqual({ 'unexpected-page': 1 });
    expect(summary.users).toEqual({ total: 4, passed: 2, failed: 2, infrastructure: 0 });
  });

  it('takes p50 and p95 over the people who passed, nearest rank', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([], 95)).toBeNull();
    expect(summary.steps[0]).toMatchObject({ p50Ms: 200, p95Ms: 400 });
  });

  it('groups failures with a sample that carries the page’s own words', () => {
    const groups = failureGroups(summary.steps, summary.results);
    expect(groups.map((g) => [g.step.index, g.failureClass, g.count, g.sample?.user])).toEqual([[2, 'unexpected-page', 1, 3], [3, 'assertion-failed', 1, 4]]);
    expect(explained(groups[0]!.sample)).toBe('failed at 2 — the page says: “Error: this username is already registered”');
    expect(explained(groups[1]!.sample)).toBe('failed at 3');
  });

  it('titles steps as people read them', () => {
    expect(summary.steps.map((s) => s.title)).toEqual(['open /', 'fill "Email" with {{user.email}}', 'click "Create account"', 'reached the end page']);
    expect(describeStep({ type: 'setViewport', width: 1280, height: 800 })).toBe('set the window to 1280×800');
    expect([ms(950), ms(12_345), ms(null), pct(0.875)]).toEqual(['950 ms', '12.3 s', '–', '87.5 %']);
  });
});

describe('the event codec', () => {
  it('turns hooks into events and back, the same person for person', () => {
    const events: RunEvent[] = [];
    const hooks = hooksToEvents((e) => events.push(RunEvent.parse(JSON.parse(JSON.stringify(e)))));
    hooks.onPersonStarted(3, 'p3@inbox.test');
    hooks.beforeEachStep(3, 0);
    hooks.afterEachStep(3, people[2]!.steps[0]!);
    hooks.onPersonFinished(people[2]!);
    const replayed: string[] = [];
    for (const e of events) {
      applyEvent(e, {
        onPersonStarted: (u, email) => replayed.push(`started ${u} ${email}`),
        beforeEachStep: (u, step) => replayed.push(`step ${u} ${step}`),
        afterEachStep: (u, r) => replayed.push(`done ${u} ${r.index} ${r.status}`),
        onPersonFinished: (p) => replayed.push(`finished ${p.user} ${p.errorClass}`),
      });
    }
    expect(replayed).toEqual(['started 3 p3@inbox.test', 'step 3 0', 'done 3 0 passed', 'finished 3 unexpected-page']);
  });

  it('drops paths of files on the machine that ran a streamed person', () => {
    const event = IngestEvent.parse({ kind: 'personFinished', person: { ...people[2]!, screenshot: 'screenshots/x.png', trace: 'traces/x.zip' } });
    expect(event.kind === 'personFinished' && [event.person.screenshot, event.person.trace]).toEqual([null, null]);
    expect(RunEvent.safeParse({ kind: 'personFinished', person: { ...people[2]!, errorClass: 'made-up' } }).success).toBe(false);
  });
});

describe('thresholds and the comparison with last night', () => {
  const summary: RunSummary = buildSummary(scenario, run, people);

  it('count people failed by a class, run-wide and per step', () => {
    const results = evaluateThresholds(['unexpected_page==0', 'step[create].unexpected_page<=1', 'step[end-page].assertion_failed==0', 'passed>=2'].map(parseThreshold), summary, null);
    expect(results.map((r) => [r.ok, r.detail])).toEqual([
      [false, 'unexpected_page = 1'],
      [true, 'step 2 click "Create account": unexpected_page = 1'],
      [false, 'step 3 reached the end page: assertion_failed = 1'],
      [true, 'passed = 2'],
    ]);
    expect(() => parseThreshold('made_up==0')).toThrow(/unknown metric "made_up"; use one of .*unexpected_page/);
  });

  it('flags a step whose pass rate fell', () => {
    const before = buildSummary(scenario, run, [person(1, null), person(2, null), person(3, null), person(4, null)]);
    const comparison = compareSummaries(summary, before);
    expect(comparison.steps.filter((s) => s.regression).map((s) => [s.index, s.regression])).toEqual([
      [2, 'pass rate 100 % → 75 %'],
      [3, 'pass rate 100 % → 66.7 %'],
    ]);
  });

  it('flags a step that got slower for several people, not for the one slowest person', () => {
    // Six people, step 1 took 500 ms each last night; tonight one person took 3 s there (a cold
    // browser), and at step 2 two people took 3 s: only step 2 got slower.
    const night = (slow: Record<number, number[]>) =>
      buildSummary(scenario, run, [1, 2, 3, 4, 5, 6].map((user) => {
        const p = person(user, null);
        for (const s of p.steps) s.durationMs = slow[s.index]?.includes(user) ? 3000 : 500;
        return p;
      }));
    const comparison = compareSummaries(night({ 1: [4], 2: [2, 5] }), night({}));
    expect(comparison.steps.map((s) => s.p95Ms)).toEqual([500, 3000, 3000, 500]);
    expect(comparison.steps.filter((s) => s.regression).map((s) => [s.index, s.regression])).toEqual([[2, 'p95 500 ms → 3000 ms (+500 %)']]);
  });
});
