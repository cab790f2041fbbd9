// The server's token: checked the same way by the HTTP API and socket.io (which shares none of
// the routes' code), from a Bearer header or the dashboard's session cookie.
import { timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'turnout_session';

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer …` or the dashboard's session cookie. */
export function tokenOf(headers: { authorization?: string; cookie?: string }): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  return new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(headers.cookie ?? '')?.[1];
}
