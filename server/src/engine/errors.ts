// The two kinds of error a caller must tell apart from a person failing a step.

/** The farm itself failed (no browser, browser lost): never counted as the application's fault. */
export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
}

/** The run cannot start as asked (missing secret, bad base URL): the person running it can fix it. */
export class ReplayInputError extends Error {
  override name = 'ReplayInputError';
}
