// What every report is made from: the run summary, the threshold verdicts and the comparison
// with the baseline. One text helper set, so reports read alike.
import type { PersonResult, RunComparison, RunSummary, StepSummary } from '../../../schema/index.js';
import type { ThresholdResult } from './thresholds.js';

export interface RunReport {
  summary: RunSummary;
  thresholds: ThresholdResult[];
  comparison: RunComparison | null;
  /** Folder the summary's screenshot and trace paths are relative to. */
  artifactsDir: string | null;
}

export interface FailureGroup {
  step: StepSummary;
  failureClass: string;
  count: number;
  sample: RunSummary['results'][number] | undefined;
}

export function failureGroups(summary: RunSummary): FailureGroup[] {
  return summary.steps.flatMap((step) =>
    Object.entries(step.failures).map(([failureClass, count]) => ({
      step,
      failureClass,
      count: count ?? 0,
      sample: summary.results.find((r) => r.failedStep === step.index && r.errorClass === failureClass),
    })),
  );
}

export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Math.round(v * 1000) / 10} %`);

/** The error as a person reads it: Turnout's words, then what the page itself said. */
export function explained(person: Pick<PersonResult, 'error' | 'pageSays'> | undefined): string {
  if (!person?.error) return '';
  return person.pageSays ? `${person.error} — the page says: “${person.pageSays}”` : person.error;
}

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
    text: `${w.people} people · CPU avg ${w.cpuAvgPct} %, peak ${w.cpuMaxPct} % · memory peak ${w.memoryUsedMaxMb} of ${w.memoryTotalMb} MB${w.saturated ? ` · saturated ${w.saturatedSeconds} s: timings not trustworthy` : ''}`,
  }));
}
