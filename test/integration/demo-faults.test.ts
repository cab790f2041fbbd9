// The acceptance run of the spine: 30 synthetic people through the demo marketplace over real
// Chromium and real SMTP, each fault at 10 %, checked person by person against the site's own
// record of who got which fault.
import { readFileSync } from 'node:fs';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type FailureClass, type RunSummary } from '../../schema/index.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import type { Fault } from '../../scenarios/demo-site/faults.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { chromiumProcesses } from '../helpers/servers.js';

const scenario = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));
const stepNamed = (name: string): number => scenario.steps.findIndex((s) => s.name === name);

/** Where each fault must stop a person, and how Turnout must class it. */
const EXPECTED: Record<Exclude<Fault, 'none'>, { step: number; errorClass: FailureClass }> = {
  'email-never-sent': { step: stepNamed('confirm-email'), errorClass: 'email-timeout' },
  'broken-link': { step: stepNamed('open-confirmation'), errorClass: 'http-error' },
  'identity-hangs': { step: stepNamed('identity-check'), errorClass: 'timeout' },
  'submit-500': { step: stepNamed('submit'), errorClass: 'http-error' },
};

describe('30 people through the demo enrollment, each fault at 10 %', () => {
  let sink: MailSink;
  let site: DemoSite;
  let summary: RunSummary;
  let wallMs: number;
  const artifacts = mkdtempSync(join(tmpdir(), 'turnout-it-'));
  const chromiumBefore = chromiumProcesses();

  beforeAll(async () => {
    sink = new MailSink({ port: 0 });
    await sink.start();
    site = await startDemoSite(0, {
      smtpPort: sink.port,
      faults: { 'email-never-sent': 10, 'broken-link': 10, 'identity-hangs': 10, 'submit-500': 10 },
    });
    const t0 = Date.now();
    summary = await replay(scenario, { users: 30, concurrency: 10, baseUrl: site.url, sink, artifactsDir: artifacts, personDeadlineMs: 60_000 });
    wallMs = Date.now() - t0;
  }, 240_000);

  afterAll(async () => {
    await site?.close();
    await sink?.stop();
  });

  it('gives every person the status, failed step and class the site’s ground truth implies', () => {
    const truth = site.truth().people;
    expect(truth).toHaveLength(30);
    const faults = truth.map((p) => p.fault);
    for (const kind of Object.keys(EXPECTED)) expect(faults.filter((f) => f === kind)).toHaveLength(3);
    for (const person of summary.results) {
      const fault = truth.find((t) => t.email === person.email)?.fault;
      expect(fault, `person ${person.user} never reached the site`).toBeDefined();
      const expected = fault === 'none' ? { status: 'passed', failedStep: null, errorClass: null } : { status: 'failed', ...EXPECTED[fault!] };
      expect({ user: person.user, fault, status: person.status, failedStep: person.failedStep, errorClass: person.errorClass }).toEqual({
        user: person.user,
        fault,
        status: expected.status,
        failedStep: 'step' in expected ? expected.step : null,
        errorClass: expected.errorClass,
      });
    }
    expect(summary.users).toEqual({ total: 30, passed: 18, failed: 12, infrastructure: 0 });
  });

  it('explains each failure with its error, URL, HTTP status and a screenshot', () => {
    for (const person of summary.results.filter((r) => r.status === 'failed')) {
      expect(person.error).toBeTruthy();
      expect(person.url).toContain(site.url);
      expect(person.screenshot).toMatch(/\.png$/);
      expect(existsSync(join(artifacts, person.screenshot!))).toBe(true);
      if (person.errorClass === 'email-timeout') expect(person.error).toMatch(/^no email for .+ within 10 s$/);
      if (person.failedStep === EXPECTED['submit-500'].step) {
        expect(person.httpStatus).toBe(500);
        expect(person.error).toContain('POST /application/submit answered 500');
      }
      if (person.failedStep === EXPECTED['broken-link'].step) expect(person.httpStatus).toBe(404);
      if (person.errorClass === 'timeout') expect(person.error).toContain('still waiting for POST /api/identity');
    }
  });

  it('builds the per-step funnel from the people', () => {
    const email = summary.steps[EXPECTED['email-never-sent'].step]!;
    expect(email).toMatchObject({ reached: 30, passed: 27, failed: 3, failures: { 'email-timeout': 3 } });
    const last = summary.steps.at(-1)!;
    expect(last).toMatchObject({ reached: 18, passed: 18, failed: 0 });
    for (const step of summary.steps) expect(step.reached).toBe(step.passed + step.failed);
    // The email step's duration is the send-to-receive latency, not the step's wall time.
    expect(email.p95Ms).toBeLessThan(5000);
  });

  it('leaves nobody hung and no Chromium running', () => {
    for (const person of summary.results) expect(person.durationMs).toBeLessThan(60_000);
    expect(wallMs).toBeLessThan(180_000);
    expect(chromiumProcesses()).toBe(chromiumBefore);
  });

  it('never writes a person’s password into the summary', () => {
    const text = JSON.stringify(summary);
    expect(text).not.toMatch(/-\d\daZ!/); // the shape of every generated password
  });
});
