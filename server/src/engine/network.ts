// Network cohorts: on launch day some people are on fibre, some on a phone in a train. A run may
// put each person on a named profile (schema NETWORK_PROFILES) by share; the browser throttles
// that person's pages through the Chrome DevTools Protocol, and the summary splits step timings
// by profile. Which person is on which profile follows from the plan alone, so a farm worker
// and the coordinator agree without asking each other.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { NETWORK_PROFILES, type NetworkCohort, type NetworkProfile, type RunPlan } from '../../../schema/index.js';

/** How many of `total` people each cohort gets: the shares rounded so that they add up (largest remainder). */
export function cohortSizes(cohorts: readonly NetworkCohort[], total: number): number[] {
  const sum = cohorts.reduce((a, c) => a + c.share, 0);
  const exact = cohorts.map((c) => (total * c.share) / sum);
  const sizes = exact.map(Math.floor);
  const byRemainder = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let left = total - sizes.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) sizes[byRemainder[k % cohorts.length]!.i]!++;
  return sizes;
}

const assignments = new WeakMap<RunPlan, NetworkProfile[]>();

/**
 * The profile of person `user` (from 1): the cohorts' sizes, interleaved by smooth weighted round
 * robin so that every stretch of the run has its share of each cohort (the slow phones do not all
 * arrive last). Null in a run without cohorts.
 */
export function networkOf(plan: RunPlan, user: number): NetworkProfile | null {
  const cohorts = plan.network;
  if (!cohorts?.length) return null;
  let order = assignments.get(plan);
  if (!order) {
    const sizes = cohortSizes(cohorts, plan.total);
    const credit = sizes.map(() => 0);
    order = [];
    for (let k = 0; k < plan.total; k++) {
      let best = 0;
      for (let i = 0; i < sizes.length; i++) {
        credit[i]! += sizes[i]!;
        if (credit[i]! > credit[best]!) best = i;
      }
      credit[best]! -= plan.total;
      order.push(cohorts[best]!.profile);
    }
    assignments.set(plan, order);
  }
  return order[(user - 1) % order.length] ?? null;
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();

/** One DevTools session per page: the cohort's throttling and a scenario's own emulateNetworkConditions step share it, so the step's conditions win. */
export function devtoolsSession(context: BrowserContext, page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = context.newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

/** Download and upload in bytes per second, latency in ms, as Chrome's Network domain takes them. */
export interface NetworkConditions {
  offline: boolean;
  latency: number;
  downloadThroughput: number;
  uploadThroughput: number;
}

export async function emulateNetwork(context: BrowserContext, page: Page, conditions: NetworkConditions): Promise<void> {
  const cdp = await devtoolsSession(context, page);
  await cdp.send('Network.emulateNetworkConditions', conditions);
}

/** Puts every page of the person's context (the first and any it opens) on the profile. */
export async function throttle(context: BrowserContext, page: Page, profile: NetworkProfile): Promise<void> {
  const p = NETWORK_PROFILES[profile];
  if (!p) return;
  const conditions = { offline: false, latency: p.latencyMs, downloadThroughput: (p.downloadKbps * 1000) / 8, uploadThroughput: (p.uploadKbps * 1000) / 8 };
  context.on('page', (opened) => void emulateNetwork(context, opened, conditions).catch(() => undefined));
  await emulateNetwork(context, page, conditions);
}
