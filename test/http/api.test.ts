// The HTTP API over a real server: scenarios, runs of the demo site, people, inbox, comparison.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxMessage, PersonResult, RunComparison, RunInfo, RunSummary, ScenarioInfo } from '../../schema/index.js';
import { DEMO_ID, startTestServer, type TestServer } from '../helpers/turnout-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ 'submit-500': 25 });
});

afterAll(async () => {
  await t?.close();
});

describe('scenarios', () => {
  it('stores a valid scenario, lists it, returns it and deletes it', async () => {
    const scenario = { title: 'Tiny', steps: [{ type: 'navigate', url: 'http://127.0.0.1:4100/' }] };
    const created = await t.post<ScenarioInfo>('/api/scenarios', scenario);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Tiny', steps: 1 });
    expect((await t.get<ScenarioInfo[]>('/api/scenarios')).map((s) => s.id)).toContain(created.body.id);
    expect(await t.get(`/api/scenarios/${created.body.id}`)).toMatchObject({ title: 'Tiny', scenario });
    expect((await fetch(`${t.server.url}/api/scenarios/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${t.server.url}/api/scenarios/${created.body.id}`)).status).toBe(404);
  });

  it('refuses an invalid scenario with 400, naming the field', async () => {
    const res = await t.post<{ error: string; problems: { path: string }[] }>('/api/scenarios', { title: 'x', steps: [{ type: 'click', selectors: 'a' }] });
    expect(res.status).toBe(400);
    expect(res.body.problems.map((p) => p.path)).toEqual(['steps[0].selectors']);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await t.post<{ error: string }>('/api/scenarios', '{"title": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^body is not valid JSON/);
  });
});

describe('runs', () => {
  let first: RunInfo;

  it('refuses a run request with a bad field or an unknown scenario', async () => {
    const bad = await t.post<{ error: string }>('/api/runs', { scenario: DEMO_ID, users: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('users:');
    const unknown = await t.post<{ error: string }>('/api/runs', { scenario: 'nope', users: 1 });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'no scenario with id "nope"' } });
  });

  it('runs the demo scenario and serves the same summary contract as the CLI', async () => {
    const started = await t.post<RunInfo>('/api/runs', { scenario: DEMO_ID, users: 4, baseUrl: t.site.url });
    expect(started.status).toBe(202);
    first = await t.waitForRun(started.body.id);
    expect(first).toMatchObject({ status: 'finished', users: { total: 4, passed: 3, failed: 1 } });
    const summary = await t.get<RunSummary>(`/api/runs/${first.id}`);
    expect(summary.users).toEqual(first.users);
    expect(summary.steps.at(-2)).toMatchObject({ reached: 4, passed: 3, failed: 1, failures: { 'http-error': 1 } });
    expect(summary.results.map((r) => r.status).sort()).toEqual(['failed', 'passed', 'passed', 'passed']);
  });

  it('gives one person’s step timeline and screenshot', async () => {
    const summary = await t.get<RunSummary>(`/api/runs/${first.id}`);
    const failed = summary.results.find((r) => r.status === 'failed')!;
    const person = await t.get<PersonResult>(`/api/runs/${first.id}/people/${failed.user}`);
    expect(person.steps).toHaveLength(30); // up to and including the submit that failed
    expect(person.error).toBe('POST /application/submit answered 500');
    const shot = await fetch(`${t.server.url}/artifacts/${person.screenshot}`);
    expect(shot.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${t.server.url}/api/runs/${first.id}/people/999`)).status).toBe(404);
  });

  it('shows the run’s inbox, and one address’s', async () => {
    const summary = await t.get<RunSummary>(`/api/runs/${first.id}`);
    const inbox = await t.get<InboxMessage[]>(`/api/runs/${first.id}/inbox`);
    expect(inbox).toHaveLength(4);
    expect(inbox.every((m) => m.subject === 'Confirm your email')).toBe(true);
    const one = await t.get<InboxMessage[]>(`/api/inbox?address=${encodeURIComponent(summary.results[0]!.email)}`);
    expect(one.map((m) => m.to)).toEqual([[summary.results[0]!.email]]);
    // What the sink holds for inboxes is watched in /metrics (it is bounded, and grows until then).
    const metrics = await (await fetch(`${t.server.url}/metrics`)).text();
    expect(Number(/^turnout_mail_kept_messages (\d+)$/m.exec(metrics)?.[1])).toBe(inbox.length);
    expect(Number(/^turnout_mail_kept_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(inbox.length * 200);
  });

  it('compares a run with the previous run of the same scenario', async () => {
    const second = await t.post<RunInfo>('/api/runs', { scenario: DEMO_ID, users: 2, baseUrl: t.site.url });
    await t.waitForRun(second.body.id);
    const comparison = await t.get<RunComparison>(`/api/runs/${second.body.id}/compare`);
    expect(comparison.previous).toBe(first.id);
    expect(comparison.steps).toHaveLength(31);
    expect(comparison.steps[29]!.previousPassRate).toBe(0.75);
  });

  it('stops a running run: its people end as infrastructure, never as the site failing', async () => {
    const started = await t.post<RunInfo>('/api/runs', { scenario: DEMO_ID, users: 6, concurrency: 2, baseUrl: t.site.url });
    await new Promise((r) => setTimeout(r, 1500));
    // A live summary does not claim a finish.
    const live = await t.get<RunSummary & { status: string }>(`/api/runs/${started.body.id}`);
    expect(live).toMatchObject({ status: 'running', finishedAt: null });
    expect((await t.post(`/api/runs/${started.body.id}/stop`, {})).status).toBe(202);
    const run = await t.waitForRun(started.body.id, 30_000);
    expect(run.status).toBe('stopped');
    const summary = await t.get<RunSummary>(`/api/runs/${run.id}`);
    expect(Date.parse(summary.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(summary.startedAt));
    const cut = summary.results.filter((r) => r.error?.includes('the run was stopped'));
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((r) => r.errorClass === 'infrastructure')).toBe(true);
    expect(summary.users.infrastructure).toBe(cut.length);
  });

  it('answers health and unknown API routes in JSON', async () => {
    expect(await t.get('/api/health')).toMatchObject({ ok: true, activeRuns: 0 });
    const res = await fetch(`${t.server.url}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no such API route' });
  });
});
