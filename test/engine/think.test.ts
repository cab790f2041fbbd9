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

beforeAll(async () => {
  site = await serveFixtures((app) => {
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

describe('think time', () => {
  it('makes people take the recorded pauses (scaled), never counted in a step', async () => {
    const options = { users: 3, concurrency: 1, baseUrl: site.url, sink, browsers: 1, artifactsDir: null };
    await replay(scenario(), { ...options, users: 1 }); // warm: the first run pays for cold caches
    const none = await replay(scenario(), { ...options, think: 'none' });
    const half = await replay(scenario(), { ...options, think: 'recorded', thinkScale: 0.5 });
    for (const run of [none, half]) expect(run.users).toMatchObject({ total: 3, passed: 3 });
    expect(half.options).toMatchObject({ think: 'recorded', thinkScale: 0.5 });
    expect(none.options.think).toBeUndefined();
    const longer = median(half.results.map((p) => p.durationMs)) - median(none.results.map((p) => p.durationMs));
    // Half the recorded pauses, less what the browser finishes meanwhile (painting the page it
    // just loaded), which a step right after a load would otherwise wait for: tens of ms.
    expect(longer).toBeGreaterThanOrEqual(RECORDED_PAUSES_MS * 0.5 - 100);
    expect(longer).toBeLessThan(RECORDED_PAUSES_MS * 0.5 + 1000);
    // The steps themselves take what they took without pauses (± noise on a small page).
    for (const step of [1, 2]) expect(Math.abs(stepMedian(half.results, step) - stepMedian(none.results, step)), `step ${step}`).toBeLessThan(400);
  }, 60_000);

  it('can be a fixed pause before every step', async () => {
    const fixed = await replay(scenario(), { users: 1, baseUrl: site.url, sink, browsers: 1, artifactsDir: null, think: 400 });
    const none = await replay(scenario(), { users: 1, baseUrl: site.url, sink, browsers: 1, artifactsDir: null });
    expect(fixed.results[0]!.durationMs - none.results[0]!.durationMs).toBeGreaterThanOrEqual(3 * 400 - 100);
  }, 60_000);

  it('stays out of Chrome Recorder exports', () => {
    const steps = toChromeRecording(scenario()).steps as Record<string, unknown>[];
    expect(steps.map((s) => 'pauseMs' in s)).toEqual([false, false, false]);
  });
});
