// The coordinator's account of a farm run, without Redis: each person counted once, the live view
// following a retried person's newest attempt, anything malformed failing only its own person.
import { describe, expect, it } from 'vitest';
import { parseScenario, type PersonResult, type RunPlan } from '../../schema/index.js';
import { ArtifactFolder } from '../../server/src/engine/artifacts.js';
import { RunHealth } from '../../server/src/engine/health.js';
import { FarmLedger } from '../../server/src/farm/ledger.js';

const plan: RunPlan = {
  runId: 'r-ledger', runTag: 'ledger', seed: 's', mailDomain: 'inbox.test', stepTimeoutMs: 1000, emailTimeoutMs: 1000, personDeadlineMs: 5000,
  baseUrl: null, allowOrigins: [], screenshotCap: 0, total: 3, rampStepMs: 0,
  scenario: parseScenario({ title: 't', steps: [{ type: 'navigate', url: 'http://x.test/' }] }),
};
const result = (user: number): PersonResult => ({
  user, email: `p${user}@inbox.test`, status: 'passed', failedStep: null, errorClass: null, error: null, url: null, httpStatus: 200, screenshot: null, trace: null,
  blocked: {}, pageSays: null, httpProblems: [], startedAt: '2026-12-01T00:00:00.000Z', durationMs: 10, worker: 'w:1', network: null,
  steps: [{ index: 0, status: 'passed', startedAt: '2026-12-01T00:00:00.000Z', durationMs: 10, matchedSelector: null }],
});
const event = (attempt: string, e: object): string => JSON.stringify({ attempt, worker: 'w:1', event: e });

function ledger() {
  const seen: string[] = [];
  const l = new FarmLedger(plan, {
    onPersonStarted: (u) => seen.push(`start ${u}`),
    beforeEachStep: (u, s) => seen.push(`step ${u}.${s}`),
    onPersonFinished: (p) => seen.push(`finish ${p.user} ${p.errorClass ?? 'passed'}`),
  }, new RunHealth('r-ledger'), new ArtifactFolder(null, 0));
  return { l, seen };
}

describe('the farm ledger', () => {
  it('follows a retried person’s newest attempt and counts their result once', async () => {
    const { l, seen } = ledger();
    l.event(event('a1', { kind: 'personStarted', user: 1, email: 'p1@inbox.test' }));
    l.event(event('a1', { kind: 'stepStarted', user: 1, step: 0 }));
    l.stalled(1);
    l.event(event('a2', { kind: 'personStarted', user: 1, email: 'p1@inbox.test' }));
    l.event(event('a1', { kind: 'stepStarted', user: 1, step: 5 })); // the lost attempt, late
    l.event(event('a2', { kind: 'stepStarted', user: 1, step: 0 }));
    await l.completed(1, { person: result(1), screenshotPng: null });
    await l.completed(1, JSON.stringify({ person: result(1), screenshotPng: null }));
    l.failed(1, 'too late to matter');
    expect(seen).toEqual(['start 1', 'step 1.0', 'start 1', 'step 1.0', 'finish 1 passed']);
    expect(l.warnings()).toEqual(['1 person(s) were started again, each as a new synthetic person, because their worker went silent mid-flow (a lost or saturated worker): 1']);
  });

  it('fails a person whose result does not parse, or names someone else, as the farm’s fault', async () => {
    const { l } = ledger();
    await l.completed(2, { person: { ...result(2), errorClass: 'made-up' }, screenshotPng: null });
    await l.completed(3, { person: result(1), screenshotPng: null });
    const [two, three] = l.results();
    expect(two).toMatchObject({ user: 2, errorClass: 'infrastructure', error: expect.stringMatching(/^the farm could not run this person: the result of person 2 is malformed: person\.errorClass: /) });
    expect(three).toMatchObject({ user: 3, errorClass: 'infrastructure', error: 'the farm could not run this person: the result of person 3 names person 1' });
  });

  it('is done when everyone is finished, failed or skipped by a stop, and says what it dropped', async () => {
    const { l } = ledger();
    let done = false;
    void l.done.then(() => (done = true));
    l.event('not json');
    l.event(event('a1', { kind: 'stepStarted', user: 1, step: -1 }));
    await l.completed(1, { person: result(1), screenshotPng: null });
    l.skipped(2);
    await Promise.resolve();
    expect(done).toBe(false);
    l.giveUp('no worker');
    await l.done;
    expect(l.results().map((r) => [r.user, r.errorClass])).toEqual([[1, null], [3, 'infrastructure']]);
    expect(l.warnings()).toEqual(['dropped 2 malformed step event(s) from the farm; the first: a step event is not JSON']);
  });
});
