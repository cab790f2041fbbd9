// What the farm keeps in Redis, in one place: the BullMQ queue of people, each run's plan, the
// channels for step events, stop requests and worker health, and the relayed inboxes.
import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import type * as z from 'zod';
import { formatPath } from '../../../schema/index.js';
import { checkRedisUrl } from './address.js';

/** One BullMQ queue for every run: a job is one synthetic person of one run. */
export const PEOPLE_QUEUE = 'turnout-people';
export const HEALTH_CHANNEL = 'turnout:health';
export const MAIL_CHANNEL = 'turnout:mail';
/** A run's plan outlives any sane run; kept that long so that a late retry still finds it. */
export const RUN_PLAN_TTL_S = 24 * 3600;
export const MAIL_TTL_S = 3600;

export { checkRedisUrl, redisLabel } from './address.js';

export const planKey = (runId: string): string => `turnout:run:${runId}:plan`;
export const eventsChannel = (runId: string): string => `turnout:run:${runId}:events`;
export const controlChannel = (runId: string): string => `turnout:run:${runId}:control`;
export const CONTROL_PATTERN = 'turnout:run:*:control';
export const mailKey = (address: string): string => `turnout:mail:${address.toLowerCase()}`;
/** BullMQ job ids may not contain ':'; one id per person of a run makes enqueueing idempotent. */
export const jobId = (runId: string, user: number): string => `${runId}.${user}`;

/**
 * A message read from Redis, parsed like any input at a trust boundary: a job, a plan or an event
 * that does not parse is refused with what is wrong and where, never used with a cast.
 */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  let data = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch {
      throw new UnrecoverableError(`${what} is not JSON`);
    }
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
  throw new UnrecoverableError(`${what} is malformed: ${problems.join('; ')}`);
}

/**
 * A Redis connection for the farm. BullMQ needs `maxRetriesPerRequest: null` on connections that
 * block; errors are reported once per connection through `onError` instead of crashing.
 */
export function connectRedis(url: string, name: string, onError: (e: Error) => void = () => undefined): Redis {
  const redis = new Redis(checkRedisUrl(url), { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  let said = false;
  redis.on('error', (e: Error) => {
    if (said) return;
    said = true;
    onError(e);
  });
  redis.on('ready', () => (said = false));
  return redis;
}
