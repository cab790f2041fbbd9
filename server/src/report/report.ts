// What every report is made from: the run summary, the threshold verdicts and the comparison
// with the baseline. One text helper set, so reports read alike.
import type { RunComparison, RunSummary } from '../../../schema/index.js';
import { failureGroups as groupFailures, workerText, type FailureGroup } from '../../../schema/present.js';
import type { ThresholdResult } from './thresholds.js';

export interface RunReport {
  summary: RunSummary;
  thresholds: ThresholdResult[];
  comparison: RunComparison | null;
  /** Folder the summary's screenshot and trace paths are relative to. */
  artifactsDir: string | null;
}

export { explained, ms, pct, type FailureGroup } from '../../../schema/present.js';

/** Failures by step and class, each with a sample person. */
export const failureGroups = (summary: RunSummary): FailureGroup[] => groupFailures(summary.steps, summary.results);

/** Seconds the run took, or has taken so far while it is still going. */
export function durationSeconds(summary: Pick<RunSummary, 'startedAt' | 'finishedAt'>): number {
  const end = summary.finishedAt === null ? Date.now() : Date.parse(summary.finishedAt);
  return (end - Date.parse(summary.startedAt)) / 1000;
}

/** One line per worker: what a reader needs to trust (or not) the timings it measured. */
export function workerLines(summary: RunSummary): { worker: string; text: string; saturated: boolean }[] {
  return (summary.workers ?? []).map((w) => ({
    worker: w.worker,
    saturated: w.saturated,
    text: workerText(w),
  }));
}
