// Think time: a person pauses before a step as the recording person did (`pauseMs`), scaled, or
// not at all (a nightly run's speed). A pause makes the person take longer, never the step: the
// step durations a threshold reads stay the same. Chrome's Recorder gets no pauseMs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChromeRecording } from '../../schema/chrome.js';
import { parseScenario, type PersonResult } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

let site: Served;
let sink: MailSink;
/** The site's own record: when each request for a page arrived, in order (one person at a time). */
const arrived: { path: string; at: number }[] = [];

beforeAll(async () => {
  site = await serveFixtures((app) => {
    app.use((req, _res, next) => {
      arrived.push({ path: req.path, at: Date.now() });
      next();
    });
    app.get('/read', (_req, res) => void res.send('<title>Read</title><p>Terms…</p><a href="/next">Accept</a>'));
    app.get('/next', (_req, res) => void res.send('<title>Next</title><h1>Accepted</h1>'));
  });
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

/** Recorded pauses: 1.5 s reading the terms, 1.5 s looking at the next page. */
const RECORDED_PAUSES_MS = 3000;
const scenario = () =>
  parseScenario({
    title: 'read and accept',
    steps: [
      { type: 'navigate', url: `${site.url}/read` },
      { type: 'click', selectors: [['aria/Accept[role="link"]'], ['a']], pauseMs: 1500, assertedEvents: [{ type: 'navigation', url: `${site.url}/next`, title: 'Next' }] },
      { type: 'waitForElement', selectors: [['h1']], pauseMs: 1500 },
    ],
  });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const stepMedian = (people: PersonResult[], step: number): number => median(people.map((p) => p.steps[step]!.durationMs));

/**
 * What the site saw of a run of people, one at a time: for each person, how long after their start
 * their first page was asked for, and how long after that the page behind Accept.
 */
async function seenBySite<Run extends { results: PersonResult[] }>(replaying: () => Promise<Run>): Promise<{ run: Run; people: PersonResult[]; firstPageAfter: number[]; acceptAfter: number[] }> {
  arrived.length = 0;
  const run = await replaying();
  const { results } = run;
  const reads = arrived.filter((r) => r.path === '/read');
  const nexts = arrived.filter((r) => r.path === '/next');
  expect(reads.length, 'one /read a person').toBe(results.length);
  expect(nexts.length, 'one /next a person').toBe(results.length);
  const people = [...results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return {
    run,
    people,
    firstPageAfter: people.map((p, i) => reads[i]!.at - Date.parse(p.startedAt)),
    acceptAfter: people.map((_, i) => nexts[i]!.at - reads[i]!.at),
  };
}

describe('think time', () => {
  it('makes people take the recorded pauses (scaled), never counted in a step', async () => {
    const options = { users: 3, concurrency: 1, baseUrl: site.url, sink, browsers: 1, artifactsDir: null };
    await replay(scenario(), { ...options, users: 1 }); // warm: the first run pays for cold caches
    const none = await seenBySite(() => replay(scenario(), { ...options, think: 'none' }));
    const half = await seenBySite(() => replay(scenario(), { ...options, think: 'recorded', thinkScale: 0.5 }));
    for (const { run } of [none, half]) expect(run.users).toMatchObject({ total: 3, passed: 3 });
    expect(half.run.options).toMatchObject({ think: 'recorded', thinkScale: 0.5 });
    expect(none.run.options.think).toBeUndefined();
    // The site's own clock: the click on Accept comes half the recorded 1.5 s after the first
    // page was asked for, or later; the first page, at once (no pause recorded before it).
    for (const after of half.acceptAfter) expect(after).toBeGreaterThanOrEqual(750);
    expect(median(none.acceptAfter)).toBeLessThan(750);
    const longer = median(half.people.map((p) => p.durationMs)) - median(none.people.map((p) => p.durationMs));
    // Half the recorded pauses, less what the browser finishes meanwhile (painting the page it
    // just loaded), which a step right after a load would otherwise wait for: tens of ms each.
    expect(longer).toBeGreaterThanOrEqual(RECORDED_PAUSES_MS * 0.5 - 2 * 100);
    expect(longer).toBeLessThan(RECORDED_PAUSES_MS * 0.5 + 1000);
    // The steps themselves take what they took without pauses (± noise on a small page).
    for (const step of [1, 2]) expect(Math.abs(stepMedian(half.people, step) - stepMedian(none.people, step)), `step ${step}`).toBeLessThan(400);
  }, 60_000);

  it('can be a fixed pause before every step', async () => {
    const options = { users: 3, concurrency: 1, baseUrl: site.url, sink, browsers: 1, artifactsDir: null };
    const none = await seenBySite(() => replay(scenario(), options));
    const fixed = await seenBySite(() => replay(scenario(), { ...options, think: 400 }));
    for (const { run } of [none, fixed]) expect(run.users).toMatchObject({ total: 3, passed: 3 });
    // The site's own clock: each person asks for the first page 400 ms or more after starting
    // (the pause before the navigation), and for the page behind Accept 400 ms or more after the
    // first (the pause before the click); without think time, the click follows the load at once.
    for (const after of [...fixed.firstPageAfter, ...fixed.acceptAfter]) expect(after).toBeGreaterThanOrEqual(400);
    expect(median(none.acceptAfter)).toBeLessThan(400);
    // Three pauses in all. The two after a page load overlap what the browser still does then
    // (painting the page), which a step right after a load would otherwise wait for: tens of ms.
    const longer = median(fixed.people.map((p) => p.durationMs)) - median(none.people.map((p) => p.durationMs));
    expect(longer).toBeGreaterThanOrEqual(3 * 400 - 2 * 100);
    expect(longer).toBeLessThan(3 * 400 + 1000);
  }, 60_000);

  it('stays out of Chrome Recorder exports', () => {
    const steps = toChromeRecording(scenario()).steps as Record<string, unknown>[];
    expect(steps.map((s) => 'pauseMs' in s)).toEqual([false, false, false]);
  });
});
