// A person's step failed, with its class: what every step executor throws. Apart from the
// classifier (failure.ts), so that code deciding before a browser starts loads no browser.
import type { FailureClass } from '../../../schema/index.js';

export class StepFailure extends Error {
  override name = 'StepFailure';
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    /** True when the step gave up after waiting its whole timeout for something to appear. */
    readonly waitedOut = false,
  ) {
    super(message);
  }
}
