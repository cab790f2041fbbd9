// Errors a caller must tell apart from a person failing a step, and how Chromium says "blocked".

/** The farm itself failed (no browser, browser lost): never counted as the application's fault. */
export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
}

/**
 * The run cannot start as asked (missing secret, bad base URL, a flag, a threshold, a reporter):
 * the person running it can fix it. Every such error is one of these (the CLI exits 2).
 */
export class ReplayInputError extends Error {
  override name = 'ReplayInputError';
}

/** Chromium's words for a request sent to the blocking proxy, i.e. outside the allowed origins (urls.ts). */
export const BLOCKED_ERROR = /net::ERR_(?:PROXY|TUNNEL)_CONNECTION_FAILED/;
