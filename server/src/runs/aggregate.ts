// Per-person results → the run summary's per-step funnel. Works on a finished run and on a live
// one alike (people still running simply have not reached later steps yet).
import { NETWORK_PROFILES, type FailureClass, type NetworkProfile, type PersonResult, type RunSummary, type Scenario, type StepSummary, type StepVitalsSummary } from '../../../schema/index.js';

const PROFILE_ORDER = Object.keys(NETWORK_PROFILES);
import { describeStep } from './describe.js';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** One step's funnel over some people: who reached it, passed, failed (by class), and its times. */
function stepFunnel(index: number, people: readonly PersonResult[]) {
  const durations: number[] = [];
  const failures: Partial<Record<FailureClass, number>> = {};
  let reached = 0;
  let passed = 0;
  for (const person of people) {
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
  // People stopped before they could start a step (browser lost) still failed "at" it.
  return { reached: Math.max(reached, passed + failed), passed, failed, p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95), failures };
}

const VITAL_KEYS = { ttfb: 'ttfbMs', fcp: 'fcpMs', lcp: 'lcpMs', inp: 'inpMs' } as const;

/** p50/p95 of each Web Vital the step measured, over the people who passed it; undefined when none was. */
function stepVitals(index: number, people: readonly PersonResult[]): StepVitalsSummary | undefined {
  const measured = people.flatMap((p) => (p.steps[index]?.status === 'passed' && p.steps[index].vitals ? [p.steps[index].vitals] : []));
  if (measured.length === 0) return undefined;
  const summary: StepVitalsSummary = {};
  const sorted = (values: (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  for (const [vital, key] of Object.entries(VITAL_KEYS) as [keyof typeof VITAL_KEYS, (typeof VITAL_KEYS)[keyof typeof VITAL_KEYS]][]) {
    const values = sorted(measured.map((v) => v[key]));
    if (values.length) summary[vital] = { p50Ms: percentile(values, 50)!, p95Ms: percentile(values, 95)! };
  }
  const cls = sorted(measured.map((v) => v.cls));
  if (cls.length) summary.cls = { p50: percentile(cls, 50)!, p95: percentile(cls, 95)! };
  return Object.keys(summary).length ? summary : undefined;
}

export function summarizeSteps(scenario: Scenario, results: readonly PersonResult[]): StepSummary[] {
  // A run with network cohorts: each step's funnel and timings per profile too.
  const cohorts = new Map<NetworkProfile, PersonResult[]>();
  for (const person of results) {
    if (!person.network) continue;
    const people = cohorts.get(person.network) ?? [];
    people.push(person);
    cohorts.set(person.network, people);
  }
  return scenario.steps.map((step, index) => {
    const summary: StepSummary = { index, type: step.type, name: step.name ?? null, title: describeStep(step), ...stepFunnel(index, results) };
    const vitals = stepVitals(index, results);
    if (vitals) summary.vitals = vitals;
    if (cohorts.size > 0) {
      summary.byNetwork = Object.fromEntries(
        [...cohorts].sort(([a], [b]) => PROFILE_ORDER.indexOf(a) - PROFILE_ORDER.indexOf(b)).map(([profile, people]) => {
          const { failures: _, ...funnel } = stepFunnel(index, people);
          return [profile, funnel];
        }),
      );
    }
    return summary;
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
