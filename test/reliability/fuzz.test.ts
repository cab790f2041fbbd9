// Hostile input, generated: scenarios, REST bodies and socket events. Nothing crashes, nothing
// answers 5xx, every refusal is a 4xx that names what is wrong. TURNOUT_FUZZ_RUNS raises the
// number of cases (2,000 per target by default, as CI runs it).
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseScenario, ScenarioError, STEP_TYPES } from '../../schema/index.js';
import { startTestServer, type TestServer } from '../helpers/turnout-server.js';

const RUNS = Number(process.env.TURNOUT_FUZZ_RUNS ?? 2000);

/** Scenario-shaped values: real step types with random fields, so the parser's depths are reached. */
const stepish = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...STEP_TYPES), fc.string()),
    selectors: fc.oneof(fc.array(fc.oneof(fc.string(), fc.array(fc.string()))), fc.anything()),
    url: fc.oneof(fc.webUrl(), fc.string()),
    value: fc.oneof(fc.string(), fc.constantFrom('{{user.email}}', '{{user.nope}}', '{{code}}', '{{secret.X}}')),
    timeout: fc.oneof(fc.integer(), fc.double()),
    frame: fc.anything(),
    to: fc.string(),
    pattern: fc.string(),
    as: fc.string(),
    key: fc.string(),
  },
  { requiredKeys: ['type'] },
);
const scenarioish = fc.oneof(
  fc.anything(),
  fc.record({ title: fc.oneof(fc.string(), fc.anything()), steps: fc.array(stepish, { maxLength: 8 }) }, { requiredKeys: [] }),
);

describe('parseScenario under fuzzing', () => {
  it('either returns a scenario or throws a ScenarioError naming a field', () => {
    fc.assert(
      fc.property(scenarioish, (data) => {
        try {
          parseScenario(data);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          expect(e.problems.length).toBeGreaterThan(0);
          for (const p of e.problems) expect(p.path).toMatch(/^(\(scenario\)|[a-zA-Z$][\w$]*)/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the server under fuzzing', () => {
  let t: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestServer();
    // Each refusal is logged as one line; thousands of them would bury the test output.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  const bodies = fc.oneof(fc.jsonValue(), scenarioish.map((v) => (v === undefined ? null : v)), fc.record({ scenario: fc.string(), users: fc.anything(), rampUp: fc.anything(), baseUrl: fc.anything() }, { requiredKeys: [] }));

  it.each(['/api/scenarios', '/api/runs', '/api/runs/external', '/api/runs/no-such-run/events', '/api/runs/no-such-run/finish', '/api/schedules'])(
    'POST %s answers a 4xx with a message, never a 5xx',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const res = await fetch(t.server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) ?? 'null' });
          const answer = (await res.json()) as { error?: string };
          if (res.status < 300) return; // a valid body (a fuzzed scenario can be valid)
          expect([400, 404, 413]).toContain(res.status);
          expect(answer.error).toBeTruthy();
        }),
        { numRuns: path === '/api/scenarios' ? RUNS : Math.ceil(RUNS / 2) },
      );
      expect((await fetch(`${t.server.url}/api/health`)).ok).toBe(true);
    },
  );

  it('refuses bodies over the limit and non-JSON writes', async () => {
    const big = await fetch(`${t.server.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(2_000_000), steps: [] }) });
    expect(big.status).toBe(413);
    const form = await fetch(`${t.server.url}/api/runs/x/stop`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
  });

  it('socket events with any payload get an error reply or are ignored; the server stays up', async () => {
    const socket = io(t.server.url, { transports: ['websocket'], forceNew: true });
    sockets.push(socket);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const untyped = socket as unknown as { emit: (event: string, ...args: unknown[]) => void; timeout: (ms: number) => { emitWithAck: (event: string, ...args: unknown[]) => Promise<unknown> } };
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom('run:watch', 'run:unwatch'), fc.string()), fc.array(fc.jsonValue(), { maxLength: 3 }), async (event, args) => {
        if (event === 'run:watch') {
          const reply = (await untyped.timeout(2000).emitWithAck('run:watch', ...args.slice(0, 1))) as { ok: boolean; error?: string };
          expect(reply.ok).toBe(false);
          expect(reply.error).toBeTruthy();
        } else {
          untyped.emit(event, ...args);
        }
      }),
      { numRuns: RUNS },
    );
    expect(socket.connected).toBe(true);
    expect((await fetch(`${t.server.url}/api/health`)).ok).toBe(true);
  });
});
