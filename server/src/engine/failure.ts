// Failure classes: what went wrong for a person at a step, stated so a release engineer can act.
import { errors } from './playwright.js';
import type { FailureClass } from '../../../schema/index.js';
import { BLOCKED_ERROR, InfrastructureError } from './errors.js';
import { EmailTimeoutError } from '../mail/mailbox.js';
import { StepFailure } from './step-failure.js';

export { StepFailure };

/** What the page was doing when the step failed, from the person's network watch. */
export interface FailureContext {
  /** Requests (document, fetch, XHR) still waiting for an answer, e.g. "POST /api/identity". */
  pending: string[];
  /** HTTP >= 500 answers and failed requests during this step or the one before it. */
  httpProblems: string[];
  browserConnected: boolean;
  /** The last page the browser was kept from opening (outside the allowed origins), if any. */
  blockedNavigation?: string | null;
}

/** Whether Playwright (or a wait of Turnout's own) gave up for time. */
export const isTimeout = (error: unknown): boolean => error instanceof Error && error.name === 'TimeoutError';

/** Failures that an HTTP problem seen around the step explains better than they do. */
const OVERRIDDEN_BY_HTTP = new Set<FailureClass>(['timeout', 'selector-not-found', 'assertion-failed', 'email-timeout', 'unexpected-page']);

/** Playwright's first line, without its call log: enough to read, never a wall of text. */
export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/^\w+\.\w+: /, '').trim();
}

/**
 * Classes an error thrown by a step, first that applies: the farm's own fault (`infrastructure`,
 * never the application's); an HTTP problem seen during the step or the one before it
 * (`http-error`, the likely cause of whatever failed next, even while other requests are open);
 * a connection that failed (`navigation-error`); the wrong landing page (`unexpected-page`);
 * running out of time while the site had not answered (`timeout`, naming only what is still
 * unanswered); then what the step itself saw.
 */
export function classify(error: unknown, context: FailureContext): StepFailure {
  const message = firstLine(error instanceof Error ? error.message : String(error));
  if (error instanceof InfrastructureError || !context.browserConnected) {
    return new StepFailure('infrastructure', context.browserConnected ? message : `the browser went away: ${message}`);
  }
  let failure: StepFailure;
  if (error instanceof StepFailure) failure = error;
  else if (error instanceof EmailTimeoutError) failure = new StepFailure('email-timeout', message);
  else if (error instanceof errors.TimeoutError) failure = new StepFailure('timeout', message);
  else if (BLOCKED_ERROR.test(message)) {
    // A redirect names where it was going in the watch; Chromium's message names where it started.
    const url = context.blockedNavigation ?? / at (\S+)/.exec(message)?.[1] ?? 'the page';
    failure = new StepFailure('navigation-error', `${url} is outside the allowed origins: blocked (allow it with --allow-origin)`);
  } else if (/net::ERR_|NS_ERROR_|Navigation failed/.test(message)) failure = new StepFailure('navigation-error', message);
  else failure = new StepFailure('assertion-failed', message);

  // A page that never showed what the step waited for while the server had not yet answered
  // is a slow back end, not a missing element.
  const waited = failure.failureClass === 'timeout' || failure.waitedOut;
  if (waited && context.pending.length > 0) {
    failure = new StepFailure('timeout', `${failure.message}; still waiting for ${context.pending.slice(0, 3).join(', ')}`);
  }
  // A connection that failed outright already names its cause (navigation-error).
  if (context.httpProblems.length > 0 && OVERRIDDEN_BY_HTTP.has(failure.failureClass)) {
    return new StepFailure('http-error', `${context.httpProblems.slice(0, 3).join('; ')} (then: ${failure.message})`);
  }
  return failure;
}
