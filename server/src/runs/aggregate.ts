// Per-person results → the run summary's per-step funnel. Works on a finished run and on a live
// one alike (people still running simply have not reached later steps yet).
import type { FailureClass, PersonResult, RunSummary, Scenario, StepSummary } from '../../../schema/index.js';
import { describeStep } from './describe.js';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function summarizeSteps(scenario: Scenario, results: readonly PersonResult[]): StepSummary[] {
  return scenario.steps.map((step, index) => {
    const durations: number[] = [];
    const failures: Partial<Record<FailureClass, number>> = {};
    let reached = 0;
    let passed = 0;
    for (const person of results) {
      const s = person.steps[index];
      if (s) {
        reached++;
        if (s.status === 'passed') {
          passed++;
          durations.push(s.durationMs);
        }
      }
      if (person.failedStep === index && person.errorClass) {
        failures[person.errorClass] = (failures[person.errorClass] ?? 0) + 1;
      }
    }
    durations.sort((a, b) => a - b);
    const failed = Object.values(failures).reduce((a, b) => a + (b ?? 0), 0);
    return {
      index,
      type: step.type,
      name: step.name ?? null,
      title: describeStep(step),
      // People stopped before they could start a step (browser lost) still failed "at" it.
      reached: Math.max(reached, passed + failed),
      passed,
      failed,
      p50Ms: percentile(durations, 50),
      p95Ms: percentile(durations, 95),
      failures,
    };
  });
}

/**
 * A run summary from its parts: a run just finished here or on the farm (with its warnings and
 * workers' health), a stored run, or a live one so far.
 */
export function buildSummary(
  scenario: Scenario,
  run: { runId: string; startedAt: string; finishedAt: string | null; options: Partial<RunSummary['options']> },
  results: readonly PersonResult[],
  extra: Pick<RunSummary, 'warnings' | 'workers' | 'arrivals'> = {},
): RunSummary {
  const users = countPeople(results);
  if (extra.arrivals) users.dropped = extra.arrivals.dropped;
  return {
    scenario: scenario.title,
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    options: run.options as RunSummary['options'],
    users,
    steps: summarizeSteps(scenario, results),
    results: [...results],
    ...extra,
  };
}

export function countPeople(results: readonly PersonResult[]): RunSummary['users'] {
  const failed = results.filter((r) => r.status === 'failed');
  return {
    total: results.length,
    passed: results.length - failed.length,
    failed: failed.length,
    infrastructure: failed.filter((r) => r.errorClass === 'infrastructure').length,
  };
}

/** The most frequent failure class of a step, for one-line displays. */
export function topFailure(step: StepSummary): { failureClass: FailureClass; count: number } | null {
  let best: { failureClass: FailureClass; count: number } | null = null;
  for (const [failureClass, count] of Object.entries(step.failures) as [FailureClass, number][]) {
    if (!best || count > best.count) best = { failureClass, count };
  }
  return best;
}
