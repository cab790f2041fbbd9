// A database that refuses writes in the middle of a run (here: another process holds its write
// lock, as a full or failing disk would refuse): the run goes on in memory, its view and summary
// stay whole, a warning says what was not stored, and the server keeps answering.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LiveRunSummary, RunInfo } from '../../schema/index.js';
import { DEMO_ID, startTestServer, type TestServer } from '../helpers/turnout-server.js';

let t: TestServer;

beforeAll(async () => {
  // The store tries writing again 2 s after a refusal (10 s as it ships).
  t = await startTestServer({}, undefined, {}, { storeRetryMs: 2000 });
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await t?.close();
});

describe('a database that refuses writes mid-run', () => {
  it('keeps the run going in memory, whole, with a warning saying what was not stored', async () => {
    const started = await t.post<RunInfo>('/api/runs', { scenario: DEMO_ID, users: 4, concurrency: 2, baseUrl: t.site.url });
    expect(started.status).toBeLessThan(300);
    const id = started.body.id;
    // Let the run get going, then take the database's write lock away from the server.
    await new Promise((r) => setTimeout(r, 1500));
    const blocker = new Database(join(t.dataDir, 'turnout.db'));
    blocker.exec('begin immediate');
    try {
      const run = await t.waitForRun(id, 180_000);
      expect(run.status).toBe('finished');
      expect((await fetch(`${t.server.url}/api/health`)).ok).toBe(true);
      const summary = await t.get<LiveRunSummary>(`/api/runs/${id}`);
      expect(summary.users).toEqual({ total: 4, passed: 4, failed: 0, infrastructure: 0 });
      expect(summary.results.map((r) => r.user)).toEqual([1, 2, 3, 4]);
      expect(summary.warnings).toContainEqual(expect.stringMatching(/^\d+ result\(s\) of this run were not stored \(database is locked\): the summary was built from memory$/));
    } finally {
      blocker.exec('rollback');
      blocker.close();
    }
    // With the disk back (the store tries again 2 s after a refusal), the next run is stored as usual.
    await new Promise((r) => setTimeout(r, 2500));
    const next = await t.post<RunInfo>('/api/runs', { scenario: DEMO_ID, users: 1, baseUrl: t.site.url });
    const done = await t.waitForRun(next.body.id, 120_000);
    expect(done.status).toBe('finished');
    expect((await t.get<LiveRunSummary>(`/api/runs/${next.body.id}`)).warnings ?? []).not.toContainEqual(expect.stringContaining('not stored'));
  }, 300_000);
});
