// Persistence across server restarts, with `turnout serve` as a real process: finished runs stay,
// a run cut short by SIGKILL comes back as interrupted with every finished step kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInfo, RunSummary, ScenarioInfo } from '../../schema/index.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import { demoRecording } from '../helpers/cli.js';
import { chromiumAfterExit, chromiumProcesses, freePort } from '../helpers/servers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'turnout-persist-'));
let site: DemoSite;
let child: ChildProcess | null = null;

async function serve(port: number, smtpPort: number): Promise<string> {
  child = spawn(process.execPath, ['bin/turnout.js', 'serve', '--port', String(port), '--smtp-port', String(smtpPort), '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('turnout serve did not come up');
}

async function stopServer(signal: NodeJS.Signals): Promise<void> {
  const c = child!;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await exited;
  child = null;
}

const json = async <T>(url: string, init?: RequestInit): Promise<T> => (await fetch(url, { headers: { 'content-type': 'application/json' }, ...init })).json() as Promise<T>;

afterAll(async () => {
  child?.kill('SIGKILL');
  await site?.close();
});

describe('a restarted server', () => {
  it('keeps finished runs, and shows a run killed mid-way as interrupted with its finished steps', async () => {
    const smtpPort = await freePort();
    site = await startDemoSite(0, { smtpPort, faults: { 'identity-hangs': 50 } });
    let url = await serve(await freePort(), smtpPort);
    // The hanging identity check is given up on after 3 s (8 s in the demo's recording).
    const recording = JSON.stringify(demoRecording({ 'identity-check': 3000 }));
    const scenario = await json<ScenarioInfo>(`${url}/api/scenarios`, { method: 'POST', body: recording });

    // A run that finishes, then a graceful restart.
    const done = await json<RunInfo>(`${url}/api/runs`, { method: 'POST', body: JSON.stringify({ scenario: scenario.id, users: 2, baseUrl: site.url }) });
    for (let i = 0; i < 200 && (await json<RunSummary & { status: string }>(`${url}/api/runs/${done.id}`)).status === 'running'; i++) await new Promise((r) => setTimeout(r, 200));
    await stopServer('SIGTERM');
    url = await serve(await freePort(), smtpPort);
    const kept = await json<RunSummary & { status: string }>(`${url}/api/runs/${done.id}`);
    expect(kept).toMatchObject({ status: 'finished', users: { total: 2, passed: 1, failed: 1 } });
    expect(kept.results.find((r) => r.status === 'failed')).toMatchObject({ failedStep: 18, errorClass: 'timeout' });

    // A run killed while its people wait on the hanging identity check.
    const before = chromiumProcesses();
    const cut = await json<RunInfo>(`${url}/api/runs`, { method: 'POST', body: JSON.stringify({ scenario: scenario.id, users: 4, baseUrl: site.url }) });
    // Killed once everyone is past the first ten steps (on a busy machine that takes longer), and
    // the store has had its moment (it writes every 0.2 s).
    const pastTen = async () => (await json<RunSummary>(`${url}/api/runs/${cut.id}`)).steps[9]?.passed === 4;
    for (let i = 0; i < 300 && !(await pastTen()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await pastTen()).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    await stopServer('SIGKILL');
    url = await serve(await freePort(), smtpPort);
    const runs = await json<RunInfo[]>(`${url}/api/runs`);
    expect(runs.map((r) => [r.id, r.status])).toEqual([
      [cut.id, 'interrupted'],
      [done.id, 'finished'],
    ]);
    const interrupted = await json<RunSummary>(`${url}/api/runs/${cut.id}`);
    expect(interrupted.results.length).toBeGreaterThan(0);
    const stepsKept = interrupted.results.reduce((n, r) => n + r.steps.length, 0);
    expect(stepsKept).toBeGreaterThanOrEqual(4 * 10); // everyone got well past the first ten steps
    expect(interrupted.steps[0]!.passed).toBe(4);
    await stopServer('SIGTERM');
    // Chromium notices its controller is gone (the pipe closes) and exits by itself.
    expect(await chromiumAfterExit(before)).toBeLessThanOrEqual(before);
  }, 120_000);
});
