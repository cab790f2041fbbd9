// The nightly farm as a release engineer uses it: exit codes, thresholds, JUnit and HTML reports,
// last night's baseline, traces of failed people, and a CLI run streamed to a server.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { XMLParser } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunSummary, type LiveRunSummary, type RunComparison, type RunInfo } from '../../schema/index.js';
import type { DemoSite, DemoSiteOptions } from '../../scenarios/demo-site/site.js';
import { findChromium } from '../../server/src/engine/chromium.js';
import { demoForCli, turnout } from '../helpers/cli.js';
import { startTestServer } from '../helpers/turnout-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'turnout-nightly-'));
const sites: DemoSite[] = [];

afterAll(async () => {
  await Promise.all(sites.map((s) => s.close()));
});

async function run(siteOptions: Omit<DemoSiteOptions, 'smtpPort'>, users: number, extra: string[], data = join(tmp, `data-${Math.random()}`)) {
  const { site, smtpPort } = await demoForCli(siteOptions);
  sites.push(site);
  const args = ['replay', 'scenarios/demo-enrollment.json', '--users', String(users), '--concurrency', '3', '--base-url', site.url, '--smtp-port', String(smtpPort), '--data', data, '--artifacts', join(tmp, 'artifacts'), ...extra];
  const outcome = await turnout(args);
  await site.close();
  return outcome;
}

describe('exit codes', () => {
  it('0 when everyone passed and the thresholds held', async () => {
    // A bound no healthy run misses on a busy CI machine: a threshold in seconds is held in seconds.
    const out = await run({}, 3, ['--threshold', 'pass_rate>=0.99', '--threshold', 'step[confirm-email].p95<60s']);
    expect(out.code, out.stdout).toBe(0);
    expect(out.stdout).toContain('✓ held      pass_rate>=0.99 — pass_rate = 100 %');
    expect(out.stdout).toMatch(/✓ held {6}step\[confirm-email\]\.p95<60s — step \d+ [^:]+: p95 = /);
  });

  it('0 when people failed within the thresholds, 3 when a threshold is breached', async () => {
    const within = await run({ faults: { 'submit-500': 25 } }, 4, ['--threshold', 'pass_rate>=0.7']);
    expect(within.code).toBe(0);
    const breached = await run({ faults: { 'submit-500': 25 } }, 4, ['--threshold', 'pass_rate>=0.99', '--threshold', 'step[*].fail_rate<0.1']);
    expect(breached.code).toBe(3);
    expect(breached.stdout).toContain('✗ BREACHED  pass_rate>=0.99 — pass_rate = 75 %');
    expect(breached.stdout).toContain('✗ BREACHED  step[*].fail_rate<0.1 — step 29 submit the application: fail_rate = 25 %');
  });

  it('2 for a threshold or reporter that does not parse, naming it', async () => {
    const bad = await turnout(['replay', 'scenarios/demo-enrollment.json', '--threshold', 'step[nope].p95<1s']);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('threshold "step[nope].p95<1s": no step "nope" (step names: create-account, confirm-email');
    const unit = await turnout(['replay', 'scenarios/demo-enrollment.json', '--threshold', 'pass_rate>=0.9s']);
    expect(unit.stderr).toContain('threshold "pass_rate>=0.9s": pass_rate takes no unit');
    const reporter = await turnout(['replay', 'scenarios/demo-enrollment.json', '--reporter', 'pdf=x.pdf']);
    expect(reporter).toMatchObject({ code: 2, stderr: expect.stringContaining('--reporter pdf=x.pdf: unknown kind "pdf"') });
  });
});

describe('reports', () => {
  const junit = join(tmp, 'junit.xml');
  const html = join(tmp, 'html');
  const json = join(tmp, 'run.json');
  const markdown = join(tmp, 'summary.md');
  let summary: RunSummary;

  it('writes JSON, JUnit, HTML and Markdown in one run', async () => {
    const out = await run({ faults: { 'email-never-sent': 20, 'submit-500': 20 } }, 5, [
      '--threshold', 'pass_rate>=0.9',
      '--reporter', `junit=${junit}`, '--reporter', `html=${html}`, '--reporter', `json=${json}`, '--reporter', `github=${markdown}`,
      '--trace', 'on-failure',
    ]);
    expect(out.code).toBe(3);
    summary = JSON.parse(readFileSync(json, 'utf8')) as RunSummary;
    expect(summary.users).toMatchObject({ total: 5, passed: 3, failed: 2 });
    expect(readFileSync(markdown, 'utf8')).toContain('## ❌ HealthMarket enrollment: 3/5 people passed (60 %)');
  });

  it('the JUnit file reads back as a suite per scenario and a case per step, failures counted', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(readFileSync(junit, 'utf8'));
    const [steps, thresholds] = xml.testsuites.testsuite as { name: string; tests: string; failures: string; testcase: { name: string; failure?: { type: string; message: string; '#text': string } }[] }[];
    expect(steps!).toMatchObject({ name: 'HealthMarket enrollment', tests: '31', failures: '2' });
    expect(steps!.testcase).toHaveLength(31);
    const failed = steps!.testcase.filter((c) => c.failure);
    expect(failed.map((c) => [c.name, c.failure!.type, c.failure!.message])).toEqual([
      ['09 receive the confirmation email', 'email-timeout', '1 of 5 people failed: email-timeout ×1'],
      ['29 submit the application', 'http-error', '1 of 4 people failed: http-error ×1'],
    ]);
    expect(failed[1]!.failure!['#text']).toContain('POST /application/submit answered 500');
    expect(thresholds).toMatchObject({ tests: '1', failures: '1' });
  });

  it('the HTML report opens from disk with its table, failure groups and screenshots', async () => {
    const browser = await chromium.launch({ executablePath: findChromium()!.executablePath });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(`file://${resolve(html, 'index.html')}`);
      expect(await page.title()).toBe(`HealthMarket enrollment — Turnout run ${summary.runId}`);
      expect(await page.locator('table').nth(1).locator('tbody tr').count()).toBe(31);
      expect(await page.locator('section.card').count()).toBe(2);
      const widths = await page.locator('section.card img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
      expect(widths).toHaveLength(2);
      for (const w of widths) expect(w).toBeGreaterThan(100);
    } finally {
      await browser.close();
    }
  });

  it('keeps a trace of each failed person, holding that person’s actions', () => {
    const failed = summary.results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(2);
    for (const person of failed) {
      const file = join(tmp, 'artifacts', person.trace!);
      expect(existsSync(file)).toBe(true);
      const zip = new AdmZip(file);
      const trace = zip.getEntries().find((e) => e.entryName.endsWith('.trace'))!.getData().toString('utf8');
      expect(trace).toContain(person.email); // the fill of this person's own address
      expect(trace).toContain('"method":"fill"');
      // Every password was typed, and none is left: generated passwords end in "-NNaZ!".
      const text = zip.getEntries().filter((e) => !e.entryName.endsWith('.jpeg')).map((e) => e.getData().toString('utf8')).join('\n');
      expect(text).toContain('«redacted»');
      expect(text).not.toMatch(/[A-Za-z0-9]{10}-\d\daZ(!|%21)/);
    }
    expect(summary.results.filter((r) => r.trace)).toHaveLength(2); // passing people keep none
  });
});

describe('baseline', () => {
  it('flags exactly the step that got slower since last night', async () => {
    const data = join(tmp, 'baseline-data');
    const json = join(tmp, 'tonight.json');
    const first = await run({ identityLatencyMs: 200 }, 6, ['--baseline', 'last'], data);
    expect(first.code).toBe(0);
    const second = await run({ identityLatencyMs: 1500 }, 6, ['--baseline', 'last', '--regression-margin', '50%', '--threshold', 'regressions==0', '--reporter', `json=${json}`], data);
    expect(second.code).toBe(3);
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunSummary & { comparison: RunComparison };
    expect(report.comparison.steps.filter((s) => s.regression).map((s) => s.index), second.stdout).toEqual([18]);
    expect(second.stdout).toMatch(/regression at step 18 "identity verified": p95 \d+ ms → \d+ ms/);
    expect(second.stdout).toContain('✗ BREACHED  regressions==0 — regressions = 1');
  });
});

describe('--server', () => {
  it('streams a CLI run to a server, whose history keeps it with the same totals', async () => {
    const t = await startTestServer();
    try {
      const json = join(tmp, 'streamed.json');
      const summaryFile = join(tmp, 'streamed-summary.json');
      const out = await run({ faults: { 'broken-link': 34 } }, 3, ['--server', t.server.url, '--reporter', `json=${json}`, '--summary-json', summaryFile]);
      expect(out.code).toBe(1);
      const local = JSON.parse(readFileSync(json, 'utf8')) as RunSummary;
      const remote = await t.waitForRun(local.runId);
      expect(remote).toMatchObject({ status: 'finished', users: local.users });
      const remoteSummary = await t.get<LiveRunSummary>(`/api/runs/${local.runId}`);
      expect(remoteSummary.steps.map((s) => [s.reached, s.passed, s.failed])).toEqual(local.steps.map((s) => [s.reached, s.passed, s.failed]));
      // The same contract from the CLI's file and from the server's API, to the key: the CLI's
      // report adds its verdicts, the server the run's status; both keep warnings and worker health.
      const { thresholds, comparison, ...file } = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, unknown>;
      expect([thresholds, comparison]).toEqual([[], null]);
      const cli = RunSummary.strict().parse(file);
      const { status, running, ...api } = RunSummary.extend({ status: z.string(), running: z.number() }).strict().parse(remoteSummary);
      expect([status, running]).toEqual(['finished', 0]);
      expect(Object.keys(api).sort()).toEqual(Object.keys(cli).sort());
      expect(api.workers).toEqual(cli.workers);
      expect(api.warnings).toEqual(cli.warnings);
      expect(api.results.map((r) => Object.keys(r).sort())).toEqual(cli.results.map((r) => Object.keys(r).sort()));
      const metrics = await (await fetch(`${t.server.url}/metrics`)).text();
      expect(metrics).toContain('turnout_people_total{scenario="HealthMarket enrollment",outcome="http-error"} 1');
      expect(metrics).not.toContain('@inbox.turnout.test'); // no person in any label
      expect((await t.get<RunInfo[]>('/api/runs')).map((r) => r.id)).toContain(local.runId);
    } finally {
      await t.close();
    }
  });
});
