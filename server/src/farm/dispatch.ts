// One entry point for a run, wherever it happens: on this machine, or on the farm when a Redis
// address is configured. Both take the same options and hooks and return the same summary.
import type { RunSummary, Scenario } from '../../../schema/index.js';
import { replay, type ReplayHooks, type ReplayOptions } from '../engine/replay.js';
import type { FarmOptions } from './coordinator.js';

export type RunOptionsAnywhere = ReplayOptions & Partial<FarmOptions>;

export async function runScenario(scenario: Scenario, options: RunOptionsAnywhere, hooks: ReplayHooks = {}): Promise<RunSummary> {
  if (!options.redis) return replay(scenario, options, hooks);
  const { replayOnFarm } = await import('./coordinator.js');
  return replayOnFarm(scenario, { ...options, redis: options.redis }, hooks);
}
