// What the farm keeps in Redis, in one place: the BullMQ queue of people, each run's plan, the
// channels for step events, stop requests and worker health, and the relayed inboxes.
import { Redis } from 'ioredis';
import type { PersonResult, PersonStepResult, Scenario } from '../../../schema/index.js';
import { ReplayInputError } from '../engine/errors.js';

/** One BullMQ queue for every run: a job is one synthetic person of one run. */
export const PEOPLE_QUEUE = 'turnout-people';
export const HEALTH_CHANNEL = 'turnout:health';
export const MAIL_CHANNEL = 'turnout:mail';
/** A run's plan outlives any sane run; kept that long so that a late retry still finds it. */
export const RUN_PLAN_TTL_S = 24 * 3600;
export const MAIL_TTL_S = 3600;

export const planKey = (runId: string): string => `turnout:run:${runId}:plan`;
export const eventsChannel = (runId: string): string => `turnout:run:${runId}:events`;
export const controlChannel = (runId: string): string => `turnout:run:${runId}:control`;
export const CONTROL_PATTERN = 'turnout:run:*:control';
export const mailKey = (address: string): string => `turnout:mail:${address.toLowerCase()}`;
/** BullMQ job ids may not contain ':'; one id per person of a run makes enqueueing idempotent. */
export const jobId = (runId: string, user: number): string => `${runId}.${user}`;

/** What a worker needs to replay any person of a run (secrets stay in the workers' environment). */
export interface RunPlan {
  runId: string;
  scenario: Scenario;
  seed: string;
  runTag: string;
  mailDomain: string;
  stepTimeoutMs: number;
  emailTimeoutMs: number;
  personDeadlineMs: number;
  baseUrl: string | null;
  allowOrigins: string[];
  screenshotCap: number;
}

export interface PersonJob {
  runId: string;
  user: number;
}

/** A step event from a worker; `attempt` tells a retried person's events from the first try's. */
export type FarmEvent =
  | { kind: 'personStarted'; user: number; attempt: string; email: string; worker: string }
  | { kind: 'stepStarted'; user: number; attempt: string; step: number }
  | { kind: 'stepFinished'; user: number; attempt: string; result: PersonStepResult };

/** The job's return value: the person's result and their failure screenshot, if any. */
export interface PersonJobResult {
  person: PersonResult;
  /** PNG, base64, shipped back so that reports on the coordinator can show it. */
  screenshotPng: string | null;
}

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
