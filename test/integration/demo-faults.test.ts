// The acceptance run of the spine: 20 synthetic people through the demo marketplace over real
// Chromium and real SMTP, each fault at 10 %, checked person by person against the site's own
// record of who got which fault, who was refused with which words, and who signed in.
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type FailureClass, type PersonResult, type RunSummary } from '../../schema/index.js';
import { startDemoSite, type DemoSite, type TruthPerson } from '../../scenarios/demo-site/site.js';
import type { Fault } from '../../scenarios/demo-site/faults.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { demoRecording } from '../helpers/cli.js';
import { chromiumProcesses } from '../helpers/servers.js';

// The demo scenario with shorter waits where a fault makes people wait them out (the mail that
// never comes, the identity check that never answers): the same verdicts, every round sooner.
const SHORT_WAITS: Record<string, number> = { 'confirm-email': 6000, 'identity-check': 5000 };
const scenario = parseScenario(demoRecording(SHORT_WAITS));
const stepNamed = (name: string): number => scenario.steps.findIndex((s) => s.name === name);

/** Where each fault must stop a person, and how Turnout must class it. */
const EXPECTED: Record<Exclude<Fault, 'none'>, { step: number; errorClass: FailureClass }> = {
  'register-refused': { step: stepNamed('create-account'), errorClass: 'unexpected-page' },
  'email-never-sent': { step: stepNamed('confirm-email'), errorClass: 'email-timeout' },
  'broken-link': { step: stepNamed('open-confirmation'), errorClass: 'http-error' },
  'identity-hangs': { step: stepNamed('identity-check'), errorClass: 'timeout' },
  'submit-500': { step: stepNamed('submit'), errorClass: 'http-error' },
};
const ALL_FAULTS = { 'register-refused': 10, 'email-never-sent': 10, 'broken-link': 10, 'identity-hangs': 10, 'submit-500': 10 };
/** A verdict that holds once can be luck: the same crowd goes through this many times. */
const ROUNDS = 3;
/** Each round's crowd; with every fault at 10 %, any 10 people in a row meet each fault once. */
const PEOPLE = 20;
const EACH = PEOPLE / 10;

/** What the site says happened to one person, as Turnout must report it. */
function expectedFor(truth: TruthPerson): Pick<PersonResult, 'status' | 'failedStep' | 'errorClass' | 'pageSays'> {
  // A refusal is what the site did, whatever fault the person was dealt: the site's word wins.
  const at = (fault: Exclude<Fault, 'none'>) => ({ failedStep: EXPECTED[fault].step, errorClass: EXPECTED[fault].errorClass });
  if (truth.reached === 'refused') return { status: 'failed', ...at('register-refused'), pageSays: truth.refusal };
  if (truth.fault === 'none' || truth.fault === 'register-refused') return { status: 'passed', failedStep: null, errorClass: null, pageSays: null };
  // Other faults show no error text of the page's own (a 500 page, a spinner): any or none.
  return { status: 'failed', ...at(truth.fault), pageSays: expect.toSatisfy(() => true) as unknown as string };
}

describe.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))(`${PEOPLE} people through the demo enrollment, each of 5 faults at 10 % (round %i)`, () => {
  let sink: MailSink;
  let site: DemoSite;
  let summary: RunSummary;
  let wallMs: number;
  const artifacts = mkdtempSync(join(tmpdir(), 'turnout-it-'));
  const chromiumBefore = chromiumProcesses();

  beforeAll(async () => {
    sink = new MailSink({ port: 0 });
    await sink.start();
    site = await startDemoSite(0, { smtpPort: sink.port, faults: ALL_FAULTS });
    const t0 = Date.now();
    summary = await replay(scenario, { users: PEOPLE, concurrency: 10, baseUrl: site.url, sink, artifactsDir: artifacts, personDeadlineMs: 60_000 });
    wallMs = Date.now() - t0;
  }, 240_000);

  afterAll(async () => {
    await site?.close();
    await sink?.stop();
  });

  it('gives every person the status, failed step, class and page text the site’s ground truth implies', () => {
    const truth = site.truth().people;
    expect(truth).toHaveLength(PEOPLE);
    for (const kind of Object.keys(EXPECTED)) expect(truth.filter((p) => p.fault === kind), kind).toHaveLength(EACH);
    const mismatches = summary.results.flatMap((person) => {
      const seen = truth.find((t) => t.email === person.email);
      if (!seen) return [`person ${person.user} never reached the site`];
      const got = { user: person.user, status: person.status, failedStep: person.failedStep, errorClass: person.errorClass, pageSays: person.pageSays };
      try {
        expect(got).toEqual({ user: person.user, ...expectedFor(seen) });
        return [];
      } catch {
        return [`person ${person.user} (${seen.fault}, reached ${seen.reached}): got ${JSON.stringify(got)} — ${person.error}`];
      }
    });
    expect(mismatches).toEqual([]);
    expect(summary.users).toEqual({ total: PEOPLE, passed: PEOPLE - 5 * EACH, failed: 5 * EACH, infrastructure: 0 });
  });

  it('signs everyone in with their own username, and keeps their own address', () => {
    const truth = site.truth().people.filter((p) => p.reached !== 'refused');
    expect(new Set(truth.map((p) => p.username)).size).toBe(truth.length);
    for (const p of truth) expect(p.username).toMatch(/^[a-z][a-z0-9]{5,19}$/);
    const signedIn = truth.filter((p) => p.signedIn);
    // Everyone whose confirmation link worked signed in: all but the refused, mail and link faults.
    expect(signedIn).toHaveLength(PEOPLE - 3 * EACH);
    const withAddress = truth.filter((p) => p.address);
    expect(withAddress).toHaveLength(PEOPLE - 4 * EACH); // everyone who got past the household page
    for (const p of withAddress) expect(p.address).toMatchObject({ state: expect.stringMatching(/^[A-Z]{2}$/), zip: expect.stringMatching(/^\d{5}$/) });
    expect(new Set(withAddress.map((p) => p.address!.street)).size).toBeGreaterThanOrEqual(withAddress.length - 1);
  });

  it('explains each failure with its error, URL, HTTP status and a screenshot', () => {
    for (const person of summary.results.filter((r) => r.status === 'failed')) {
      expect(person.error).toBeTruthy();
      expect(person.url).toContain(site.url);
      expect(person.screenshot).toMatch(/\.png$/);
      expect(existsSync(join(artifacts, person.screenshot!))).toBe(true);
      if (person.errorClass === 'email-timeout') expect(person.error).toMatch(/^no email for .+ within 6 s$/);
      if (person.errorClass === 'unexpected-page') {
        expect(person.error).toBe("expected the page 'Check your inbox · HealthMarket' (/account/check-email?email), landed on 'Create your account · HealthMarket' (/account)");
      }
      if (person.failedStep === EXPECTED['submit-500'].step) {
        expect(person.httpStatus).toBe(500);
        expect(person.error).toContain('POST /application/submit answered 500');
      }
      if (person.failedStep === EXPECTED['broken-link'].step) expect(person.httpStatus).toBe(404);
      if (person.errorClass === 'timeout') expect(person.error).toContain('still waiting for POST /api/identity');
    }
  });

  it('builds the per-step funnel from the people', () => {
    const create = summary.steps[EXPECTED['register-refused'].step]!;
    expect(create).toMatchObject({ reached: PEOPLE, passed: PEOPLE - EACH, failed: EACH, failures: { 'unexpected-page': EACH } });
    const email = summary.steps[EXPECTED['email-never-sent'].step]!;
    expect(email).toMatchObject({ reached: PEOPLE - EACH, passed: PEOPLE - 2 * EACH, failed: EACH, failures: { 'email-timeout': EACH } });
    const last = summary.steps.at(-1)!;
    expect(last).toMatchObject({ reached: PEOPLE - 5 * EACH, passed: PEOPLE - 5 * EACH, failed: 0 });
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
