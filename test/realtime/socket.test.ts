// The socket.io contract: a real server on a random port, two real clients watching one run.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, PersonResult, RunInfo, RunSnapshot, ServerToClientEvents } from '../../schema/index.js';
import { SNAPSHOT_INTERVAL_MS } from '../../server/src/runs/manager.js';
import { DEMO_ID, startTestServer, type TestServer } from '../helpers/turnout-server.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let t: TestServer;
const clients: Client[] = [];

async function connect(): Promise<Client> {
  const client: Client = io(t.server.url, { transports: ['websocket'], forceNew: true });
  clients.push(client);
  await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('connect_error', reject));
  return client;
}

const watch = (client: Client, runId: string) =>
  new Promise<Parameters<Parameters<ClientToServerEvents['run:watch']>[1]>[0]>((resolve) => client.emit('run:watch', runId, resolve));

beforeAll(async () => {
  t = await startTestServer({ 'broken-link': 20 });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await t?.close();
});

describe('socket.io events', () => {
  it('two watchers get the state at once, throttled snapshots, failure events and the finish', async () => {
    const [a, b] = [await connect(), await connect()];
    const heardStart: RunInfo[] = [];
    b.on('run:started', (run) => heardStart.push(run));
    const started = await t.post<RunInfo>('/api/runs', { scenario: DEMO_ID, users: 10, baseUrl: t.site.url });
    const runId = started.body.id;

    const [replyA, replyB] = await Promise.all([watch(a, runId), watch(b, runId)]);
    expect(replyA).toMatchObject({ ok: true, value: { run: { id: runId, status: 'running', planned: 10 } } });
    expect(replyB.ok).toBe(true);

    const snapshots: { at: number; snapshot: RunSnapshot }[] = [];
    const failures: PersonResult[] = [];
    a.on('run:progressed', (s) => snapshots.push({ at: Date.now(), snapshot: s }));
    b.on('run:personFailed', (_id, p) => failures.push(p));
    const finished = await new Promise<RunInfo>((resolve) => a.on('run:finished', (r) => r.id === runId && resolve(r)));

    expect(heardStart.map((r) => r.id)).toContain(runId);
    expect(finished).toMatchObject({ status: 'finished', users: { total: 10, passed: 8, failed: 2 } });
    // Two people got a broken link: each failure is announced once, with its class.
    expect(failures.map((f) => f.errorClass)).toEqual(['http-error', 'http-error']);
    // Snapshots are throttled: a few per second whatever the crowd size, and they show progress.
    const seconds = (snapshots.at(-1)!.at - snapshots[0]!.at) / 1000;
    expect(snapshots.length).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / SNAPSHOT_INTERVAL_MS) + 2);
    const passedCounts = snapshots.map((s) => s.snapshot.run.users.passed);
    expect(new Set(passedCounts).size).toBeGreaterThan(2);
    expect(snapshots.at(-1)!.snapshot.run.users).toEqual(finished.users);
  });

  it('a late joiner gets the finished state at once', async () => {
    const runs = await t.get<RunInfo[]>('/api/runs');
    const late = await connect();
    const reply = await watch(late, runs[0]!.id);
    expect(reply).toMatchObject({ ok: true, value: { run: { status: 'finished' }, running: 0 } });
    if (reply.ok) expect(reply.value.steps[11]).toMatchObject({ failed: 2, failures: { 'http-error': 2 } });
  });

  it('answers a watch of an unknown run, or a malformed one, with an error', async () => {
    const c = await connect();
    expect(await watch(c, 'no-such-run')).toEqual({ ok: false, error: 'no run no-such-run' });
    expect(await watch(c, 42 as unknown as string)).toEqual({ ok: false, error: 'runId: expected a run id' });
  });
});
