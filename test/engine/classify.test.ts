// The precedence of failure classes, on the classifier alone: what a release engineer acts on
// must not depend on which of several things went wrong was noticed first.
import { errors } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../server/src/engine/errors.js';
import { classify, StepFailure, type FailureContext } from '../../server/src/engine/failure.js';
import { EmailTimeoutError } from '../../server/src/mail/mailbox.js';

const quiet: FailureContext = { pending: [], httpProblems: [], browserConnected: true };
const timedOut = () => new errors.TimeoutError('locator.click: Timeout 15000ms exceeded.\nCall log: …');

describe('classify', () => {
  it('puts the farm’s own fault first, whatever else the page did', () => {
    const f = classify(new InfrastructureError('the run was stopped'), { ...quiet, httpProblems: ['POST /x answered 500'], pending: ['GET /y'] });
    expect(f).toMatchObject({ failureClass: 'infrastructure', message: 'the run was stopped' });
    expect(classify(timedOut(), { ...quiet, browserConnected: false }).message).toMatch(/^the browser went away: /);
  });

  it('lets a 5xx during the step win over requests still open', () => {
    const f = classify(timedOut(), { ...quiet, pending: ['GET /api/never'], httpProblems: ['POST /api/enroll answered 500'] });
    expect(f.failureClass).toBe('http-error');
    expect(f.message).toBe('POST /api/enroll answered 500 (then: Timeout 15000ms exceeded.; still waiting for GET /api/never)');
  });

  it('lets an HTTP problem explain a wrong landing page, a missing element and a missing email', () => {
    for (const error of [new StepFailure('unexpected-page', 'expected …'), new StepFailure('selector-not-found', 'no …', true), new EmailTimeoutError('no email …')]) {
      expect(classify(error, { ...quiet, httpProblems: ['GET /a failed (net::ERR_EMPTY_RESPONSE)'] }).failureClass).toBe('http-error');
    }
  });

  it('keeps a wrong landing page as it is while requests are pending: it did not wait for them', () => {
    expect(classify(new StepFailure('unexpected-page', 'expected …'), { ...quiet, pending: ['GET /slow'] }).failureClass).toBe('unexpected-page');
  });

  it('calls a wait that ran out while the site had not answered a timeout, naming only what is pending', () => {
    const waited = new StepFailure('assertion-failed', 'expected >= 1 visible element(s) matching "text/Done" within 8000 ms; found 0', true);
    expect(classify(waited, { ...quiet, pending: ['POST /api/identity'] })).toMatchObject({ failureClass: 'timeout', message: expect.stringMatching(/; still waiting for POST \/api\/identity$/) });
    expect(classify(waited, quiet).failureClass).toBe('assertion-failed');
  });

  it('classes a refused connection as a navigation-error even with an HTTP problem seen', () => {
    const f = classify(new Error('page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:1/'), { ...quiet, httpProblems: ['GET / failed (net::ERR_CONNECTION_REFUSED)'] });
    expect(f.failureClass).toBe('navigation-error');
  });
});
