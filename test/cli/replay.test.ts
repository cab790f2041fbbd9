// `turnout replay` as a nightly job runs it: a real process, its output and its exit code.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../schema/index.js';
import type { DemoSite } from '../../scenarios/demo-site/site.js';
import type { FaultPercentages } from '../../scenarios/demo-site/faults.js';
import { demoForCli, turnout, untilBrowsing, type Outcome } from '../helpers/cli.js';
import { chromiumAfterExit, chromiumProcesses } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'turnout-cli-'));
const sites: DemoSite[] = [];

afterAll(async () => {
  await Promise.all(sites.map((s) => s.close()));
});

async function demo(faults: Partial<FaultPercentages> = {}): Promise<{ site: DemoSite; smtpPort: number }> {
  const started = await demoForCli({ faults });
  sites.push(started.site);
  return started;
}

const replayArgs = (site: DemoSite, smtpPort: number, users: number) => [
  'replay', 'scenarios/demo-enrollment.json', '--users', String(users), '--base-url', site.url, '--smtp-port', String(smtpPort),
  '--artifacts', join(tmp, 'artifacts'), '--data', join(tmp, 'data'),
];

describe('turnout replay', () => {
  it('runs 5 people through the fault-free demo: all pass, table printed, exit 0', async () => {
    const { site, smtpPort } = await demo();
    const summaryFile = join(tmp, 'summary.json');
    const out = await turnout([...replayArgs(site, smtpPort, 5), '--summary-json', summaryFile]);
    expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/#\s+step\s+reached\s+passed\s+failed\s+p50\s+p95\s+top failure/);
    expect(out.stdout).toMatch(/receive the confirmation email\s+5\s+5\s+0/);
    expect(out.stdout).toContain('5 people: 5 passed, 0 failed — 100 % passed');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary;
    expect(Object.keys(summary).slice(0, 8)).toEqual(['scenario', 'runId', 'startedAt', 'finishedAt', 'options', 'users', 'steps', 'results']);
    expect(summary.users).toMatchObject({ total: 5, passed: 5, failed: 0 });
    expect(summary.results.map((r) => r.status)).toEqual(Array(5).fill('passed'));
    expect(Object.keys(summary.steps[0]!)).toEqual(expect.arrayContaining(['index', 'type', 'title', 'reached', 'passed', 'failed', 'p50Ms', 'p95Ms', 'failures']));
    expect(Object.keys(summary.results[0]!)).toEqual(
      expect.arrayContaining(['user', 'email', 'status', 'failedStep', 'errorClass', 'error', 'url', 'httpStatus', 'screenshot', 'steps']),
    );
    expect(new Set(summary.results.map((r) => r.email)).size).toBe(5);
  });

  it('exits 1 when people fail, and says where and why', async () => {
    const { site, smtpPort } = await demo({ 'submit-500': 50 });
    const out = await turnout(replayArgs(site, smtpPort, 4));
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/submit the application\s+4\s+2\s+2 .*http-error \(2\)/);
    expect(out.stdout).toContain('2 stuck at step 29 "submit the application": http-error — POST /application/submit answered 500');
  });

  it('exits 2 on an invalid scenario, naming step and field, without a stack trace', async () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ title: 'bad', steps: [{ type: 'navigate', url: 'http://a.test/' }, { type: 'click', selectors: 'button' }] }));
    const out = await turnout(['replay', file]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('steps[1].selectors: Invalid input: expected array, received string');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a bad flag or a missing file', async () => {
    expect((await turnout(['replay', 'scenarios/demo-enrollment.json', '--users', 'many'])).code).toBe(2);
    const missing = await turnout(['replay', 'nope.json']);
    expect(missing).toMatchObject({ code: 2, stderr: 'turnout: cannot read scenario nope.json: no such file\n' });
  });

  it('exits 2 with one line naming the SMTP port already taken and --smtp-port', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const out = await turnout(['replay', 'scenarios/demo-enrollment.json', '--smtp-port', String(port), '--base-url', 'http://127.0.0.1:9', '--data', join(tmp, 'taken')]);
      expect(out).toMatchObject({ code: 2, stderr: `turnout: the SMTP sink cannot listen on port ${port} (something else already listens there): choose another with --smtp-port\n` });
    } finally {
      taken.close();
    }
  });

  it('exits 4 when the farm has no browser', async () => {
    const out = await turnout(['replay', 'scenarios/demo-enrollment.json'], { env: { TURNOUT_CHROMIUM: '/nonexistent/chromium' } });
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('No Chromium found');
  });

  it('stops on Ctrl-C, closes every browser and exits 130', async () => {
    const before = chromiumProcesses();
    const { site, smtpPort } = await demo({ 'identity-hangs': 100 });
    const out = await turnout(replayArgs(site, smtpPort, 4), { interruptWhileBrowsingMs: 2500 });
    expect(out.code).toBe(130);
    expect(out.stderr).toContain('SIGINT: stopping the run and closing browsers');
    expect(chromiumProcesses()).toBe(before);
  });
});

describe('a run whose browser freezes', () => {
  it('still ends on Ctrl-C within seconds, exits 130 with the partial summary, its people abandoned as infrastructure', async () => {
    const before = chromiumProcesses();
    const { site, smtpPort } = await demo({});
    const file = join(tmp, 'frozen.json');
    const child = spawn(process.execPath, ['bin/turnout.js', ...replayArgs(site, smtpPort, 6), '--concurrency', '3', '--browsers', '1', '--summary-json', file]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const frozen: number[] = [];
    try {
      // Chromium stops answering anything at all, its people mid-way: its browser process is suspended.
      frozen.push(...(await untilBrowsing(child.pid!)));
      await new Promise((r) => setTimeout(r, 2000));
      expect(frozen.length).toBeGreaterThan(0);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      const interruptedAt = Date.now();
      child.kill('SIGINT');
      const code = await exited;
      const tookMs = Date.now() - interruptedAt;
      expect(code).toBe(130);
      expect(tookMs).toBeLessThan(20_000);
      const summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
      const abandoned = summary.results.filter((r) => r.error?.startsWith('abandoned: the run was stopped'));
      expect(abandoned.length).toBeGreaterThan(0);
      for (const r of abandoned) expect(r).toMatchObject({ status: 'failed', errorClass: 'infrastructure' });
      expect(stdout).toContain('people:');
    } finally {
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      child.kill('SIGKILL');
    }
    expect(await chromiumAfterExit(before)).toBe(before);
  }, 60_000);
});

describe('npx turnout', () => {
  it('runs this repository’s own bin', async () => {
    const out = await new Promise<Outcome>((resolve) => {
      const child = spawn('npx', ['--no-install', 'turnout', '--version']);
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(out).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});
