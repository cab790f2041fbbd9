// Recordings in Chrome DevTools Recorder's own export format (shadow DOM, an iframe, a select,
// the keyboard, a popup) parse unchanged and replay against small pages written for them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

const recording = (name: string): Scenario =>
  parseScenario(JSON.parse(readFileSync(`test/fixtures/recordings/${name}.json`, 'utf8')), name);

let site: Served;
let sink: MailSink;

beforeAll(async () => {
  site = await serveFixtures();
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

// The recordings were made against 127.0.0.1:8080; --base-url moves them to the test server.
const run = (scenario: Scenario, users = 1) =>
  replay(scenario, { users, baseUrl: site.url, sink, stepTimeoutMs: 5000, browsers: 1 });

describe('Chrome Recorder recordings', () => {
  it.each(['shadow-dom', 'iframe', 'select-and-checkbox', 'keyboard', 'popup'])('%s replays with every step passing', async (name) => {
    const summary = await run(recording(name));
    const person = summary.results[0]!;
    expect({ status: person.status, error: person.error }).toEqual({ status: 'passed', error: null });
    expect(person.steps.map((s) => s.status)).toEqual(summary.steps.map(() => 'passed'));
  });

  it('falls back past a stale selector and records the one that matched', async () => {
    const summary = await run(recording('shadow-dom'));
    expect(summary.results[0]!.steps[4]!.matchedSelector).toBe('pierce/button');
    expect(summary.results[0]!.steps[2]!.matchedSelector).toBe('aria/Your name');
  });

  it('replays the keyboard recording for ten people at once', async () => {
    const summary = await run(recording('keyboard'), 10);
    expect(summary.users).toMatchObject({ total: 10, passed: 10 });
  });

  it('fails a wait whose expected state never comes as assertion-failed', async () => {
    const scenario = recording('select-and-checkbox');
    const changed = { ...scenario, steps: scenario.steps.map((s, i) => (i === 2 ? { ...s, value: 'TX' } : s)) } as Scenario;
    const person = (await replay(changed, { users: 1, baseUrl: site.url, sink, stepTimeoutMs: 1000, browsers: 1 })).results[0]!;
    expect(person).toMatchObject({ status: 'failed', failedStep: 4, errorClass: 'assertion-failed' });
  });

  it('fails a click whose element is gone as selector-not-found', async () => {
    const scenario = recording('keyboard');
    const changed = { ...scenario, steps: scenario.steps.map((s, i) => (i === 1 ? { ...s, selectors: [['#renamed']] } : s)) } as Scenario;
    const person = (await replay(changed, { users: 1, baseUrl: site.url, sink, stepTimeoutMs: 1000, browsers: 1 })).results[0]!;
    expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'selector-not-found' });
    expect(person.error).toBe('no element matched "#renamed" within 1000 ms');
  });
});
