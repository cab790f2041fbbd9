// A run next to its baseline (last night's run, or a summary file): per-step pass rate and p95,
// and which steps regressed by more than the margins. Shared by the CLI, reports and the API.
import type { RunComparison, RunSummary, StepSummary } from '../../../schema/index.js';

export interface RegressionMargins {
  /** A p95 this much slower (0.2 = 20 %) is a regression… */
  p95: number;
  /** …when it is also at least this many ms slower (small times jitter by large ratios). */
  p95FloorMs: number;
  /** A pass rate this much lower (0.02 = 2 percentage points) is a regression. */
  passRate: number;
}

export const DEFAULT_MARGINS: RegressionMargins = { p95: 0.2, p95FloorMs: 250, passRate: 0.02 };

const rate = (s: StepSummary | undefined): number | null => (s && s.reached ? s.passed / s.reached : null);

/**
 * A p95 regression rests on at least this many people slower than the margin allows. In a crowd
 * under 20 the p95 is the slowest person, and one person slow for their own reasons (a cold
 * browser, a busy machine) is not a step that got slower; from 20 people on, a p95 past the
 * margin has two people past it anyway.
 */
const SLOWER_PEOPLE = 2;

function regression(now: StepSummary, before: StepSummary | undefined, m: RegressionMargins, durations: readonly number[]): string | null {
  const r = rate(now);
  const r0 = rate(before);
  if (r !== null && r0 !== null && r0 - r > m.passRate) {
    return `pass rate ${Math.round(r0 * 1000) / 10} % → ${Math.round(r * 1000) / 10} %`;
  }
  const p = now.p95Ms;
  const p0 = before?.p95Ms ?? null;
  if (p === null || p0 === null) return null;
  const slower = (ms: number): boolean => ms > p0 * (1 + m.p95) && ms - p0 >= m.p95FloorMs;
  if (slower(p) && durations.filter(slower).length >= SLOWER_PEOPLE) {
    return `p95 ${Math.round(p0)} ms → ${Math.round(p)} ms (+${Math.round(((p - p0) / Math.max(1, p0)) * 100)} %)`;
  }
  return null;
}

/** The times of the people who passed a step, as its p50 and p95 are taken from. */
const passedDurations = (summary: RunSummary, index: number): number[] =>
  summary.results.flatMap((r) => (r.steps[index]?.status === 'passed' ? [r.steps[index].durationMs] : []));

export function compareSummaries(current: RunSummary, baseline: RunSummary | null, margins: RegressionMargins = DEFAULT_MARGINS): RunComparison {
  const steps = current.steps.map((s) => {
    const before = baseline?.steps[s.index];
    return {
      index: s.index,
      title: s.title,
      passRate: rate(s),
      previousPassRate: rate(before),
      p95Ms: s.p95Ms,
      previousP95Ms: before?.p95Ms ?? null,
      regression: baseline ? regression(s, before, margins, passedDurations(current, s.index)) : null,
    };
  });
  return { run: current.runId, previous: baseline?.runId ?? null, steps, regressions: steps.filter((s) => s.regression).length };
}
