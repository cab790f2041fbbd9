// Trends across runs of one scenario: per step and run, the pass rate, p50, p95 and failures by
// class (what the dashboard charts and `turnout drift` prints), and selector drift — the share
// of people whose element the step's first selector candidate found, run after run.
import type { RunSummary, Scenario, ScenarioTrends, Selector, StepDrift } from '../../../schema/index.js';
import { selectorText } from '../../../schema/present.js';

/** Below this share of people, a first candidate no longer serves its step. */
export const DRIFT_SHARE = 0.5;

/** `summaries` oldest first; `scenario` is the stored one (titles and candidates as they are now). */
export function scenarioTrends(id: string, scenario: Scenario, summaries: readonly (RunSummary & { status: ScenarioTrends['runs'][number]['status'] })[]): ScenarioTrends {
  return {
    scenario: { id, title: scenario.title },
    runs: summaries.map((s) => ({
      id: s.runId,
      startedAt: s.startedAt,
      status: s.status,
      passRate: s.users.total ? s.users.passed / s.users.total : null,
      schedule: s.options.schedule ?? null,
    })),
    steps: scenario.steps.map((step, index) => ({
      index,
      title: summaries.at(-1)?.steps[index]?.title ?? step.name ?? step.type,
      points: summaries.map((s) => {
        const st = s.steps[index];
        return { runId: s.runId, reached: st?.reached ?? 0, passRate: st?.reached ? st.passed / st.reached : null, p50Ms: st?.p50Ms ?? null, p95Ms: st?.p95Ms ?? null, failures: st?.failures ?? {} };
      }),
      drift: drift(firstCandidateOf(step), index, summaries),
    })),
  };
}

/** The first selector candidate of a step that finds an element, as the summary writes matched ones. */
function firstCandidateOf(step: Scenario['steps'][number]): string | null {
  const selectors = (step as { selectors?: readonly Selector[] }).selectors;
  return selectors?.length ? selectorText(selectors[0]!) : null;
}

function drift(firstCandidate: string | null, index: number, summaries: readonly RunSummary[]): StepDrift | null {
  if (firstCandidate === null) return null;
  const firstShare = summaries.map((s) => {
    const matched = s.results.flatMap((p) => (p.steps[index]?.status === 'passed' && p.steps[index].matchedSelector ? [p.steps[index].matchedSelector] : []));
    return matched.length ? matched.filter((m) => m === firstCandidate).length / matched.length : null;
  });
  const measured = firstShare.filter((x): x is number => x !== null);
  const latest = measured.at(-1);
  // Served before, no longer: the page changed under the recording.
  const drifting = latest !== undefined && latest < DRIFT_SHARE && measured.slice(0, -1).some((x) => x >= DRIFT_SHARE);
  return { firstCandidate, firstShare, drifting };
}
