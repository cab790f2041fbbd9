// A farm's Redis address, checked and shown without its password. Kept apart from the Redis
// client so that a run on this machine never loads BullMQ or ioredis (a fifth of the CLI's start-up).
import { ReplayInputError } from '../engine/errors.js';

/** The address as people may see it: no password. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid address)';
  }
}

export function checkRedisUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ReplayInputError(`--redis ${url}: not a URL (expected redis://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ReplayInputError(`--redis ${redisLabel(url)}: expected a redis:// or rediss:// address`);
  return url;
}
