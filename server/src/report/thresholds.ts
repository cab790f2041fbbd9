// Thresholds: the conditions a nightly run must meet, k6-style, over the run summary.
//
//   pass_rate>=0.99                      the whole run
//   step[confirm-email].p95<5s           one step, by its name (or its index: step[8])
//   step[*].fail_rate<0.01               every step
//   regressions==0                       no step regressed against the baseline
//
// Run metrics: pass_rate, fail_rate, passed, failed, infrastructure, regressions.
// Step metrics: pass_rate, fail_rate, reached, passed, failed, p50, p95 (durations in ms unless
// written with a unit: 800ms, 5s, 2m; rates also as percentages: 99%), and Web Vitals:
// ttfb_p50/p95, fcp_…, lcp_…, inp_… (times) and cls_p50/cls_p95 (unitless). A vital over
// step[*] is checked on the steps that measured it.
// Both: people failed by class, the class with underscores (unexpected_page==0, http_error<3).
import { FAILURE_CLASSES, VITALS, type FailureClass, type RunSummary, type StepSummary, type Vital } from '../../../schema/index.js';
import { ReplayInputError } from '../engine/errors.js';

export class ThresholdError extends ReplayInputError {
  override name = 'ThresholdError';
}

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

/** `unexpected_page` → `unexpected-page`: a failure class as a metric name. */
const CLASS_METRICS = new Map(FAILURE_CLASSES.map((c) => [c.replace(/-/g, '_'), c] as const));
const RUN_METRICS = ['pass_rate', 'fail_rate', 'passed', 'failed', 'infrastructure', 'regressions'] as const;
const VITAL_METRICS = VITALS.flatMap((v) => [`${v}_p50`, `${v}_p95`] as const);
const STEP_METRICS = ['pass_rate', 'fail_rate', 'reached', 'passed', 'failed', 'p50', 'p95', ...VITAL_METRICS] as const;
const isVital = (metric: string): boolean => (VITAL_METRICS as readonly string[]).includes(metric);
/** A metric read as a time (ms): p50, p95 and every vital but CLS. */
const isTimeMetric = (metric: string): boolean => metric === 'p50' || metric === 'p95' || (isVital(metric) && !metric.startsWith('cls'));
type RunMetric = (typeof RUN_METRICS)[number];
type StepMetric = (typeof STEP_METRICS)[number];
type ClassMetric = string;

export interface Threshold {
  text: string;
  step: string | null; // a name, an index as text, or '*'; null for the whole run
  metric: RunMetric | StepMetric | ClassMetric;
  operator: Operator;
  value: number;
}

export interface ThresholdResult {
  threshold: string;
  ok: boolean;
  /** What was measured, e.g. "step 8 receive the confirmation email: p95 = 6120 ms". */
  detail: string;
}

const SYNTAX = /^\s*(?:step\[([^\]]+)\]\.)?([a-z_0-9]+)\s*(<=|>=|==|!=|<|>)\s*([0-9.]+)\s*(ms|s|m|%)?\s*$/;

function toNumber(raw: string, unit: string | undefined, metric: string, text: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ThresholdError(`threshold "${text}": ${raw} is not a number`);
  const isTime = isTimeMetric(metric);
  if (unit === '%') {
    if (!metric.endsWith('_rate')) throw new ThresholdError(`threshold "${text}": % only fits a rate (pass_rate, fail_rate)`);
    return n / 100;
  }
  if (unit && !isTime) throw new ThresholdError(`threshold "${text}": ${metric} takes no unit`);
  return unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

export function parseThreshold(text: string): Threshold {
  const m = SYNTAX.exec(text);
  if (!m) {
    throw new ThresholdError(`threshold "${text}": expected METRIC OP VALUE or step[NAME].METRIC OP VALUE, e.g. "pass_rate>=0.99" or "step[confirm-email].p95<5s"`);
  }
  const [, step, metric, operator, raw, unit] = m as unknown as [string, string | undefined, string, Operator, string, string | undefined];
  const known: readonly string[] = [...new Set([...(step ? STEP_METRICS : RUN_METRICS), ...CLASS_METRICS.keys()])];
  if (!known.includes(metric)) {
    throw new ThresholdError(`threshold "${text}": unknown ${step ? 'step ' : ''}metric "${metric}"; use one of ${known.join(', ')}`);
  }
  return { text: text.trim(), step: step?.trim() ?? null, metric: metric as Threshold['metric'], operator, value: toNumber(raw, unit, metric, text) };
}

const holds = (actual: number, op: Operator, expected: number): boolean =>
  op === '<' ? actual < expected : op === '<=' ? actual <= expected : op === '>' ? actual > expected : op === '>=' ? actual >= expected : op === '==' ? actual === expected : actual !== expected;

/** Fails before anything runs when a threshold names a step the scenario does not have. */
export function checkThresholdSteps(thresholds: readonly Threshold[], steps: readonly { name?: string | undefined }[]): void {
  const summaries = steps.map((s, index) => ({ index, name: s.name ?? null }) as StepSummary);
  for (const t of thresholds) if (t.step !== null) stepsFor(t, summaries);
}

function stepsFor(t: Threshold, steps: readonly StepSummary[]): StepSummary[] {
  if (t.step === '*') return [...steps];
  const byName = steps.filter((s) => s.name === t.step);
  if (byName.length) return byName;
  const byIndex = /^\d+$/.test(t.step ?? '') ? steps.filter((s) => s.index === Number(t.step)) : [];
  if (byIndex.length) return byIndex;
  const names = steps.map((s) => s.name).filter(Boolean);
  throw new ThresholdError(`threshold "${t.text}": no step "${t.step}" (step names: ${names.join(', ') || 'none'}; or use an index)`);
}

function stepValue(step: StepSummary, metric: StepMetric | ClassMetric): number | null {
  const failureClass = CLASS_METRICS.get(metric);
  if (failureClass) return step.failures[failureClass] ?? 0;
  switch (metric as StepMetric) {
    case 'pass_rate':
      return step.reached ? step.passed / step.reached : null;
    case 'fail_rate':
      return step.reached ? step.failed / step.reached : null;
    case 'p50':
      return step.p50Ms;
    case 'p95':
      return step.p95Ms;
    default:
      if (isVital(metric)) {
        const [vital, p] = metric.split('_') as [Vital, 'p50' | 'p95'];
        const measured = step.vitals?.[vital];
        if (!measured) return null;
        return 'p50' in measured ? measured[p] : measured[`${p}Ms`];
      }
      return step[metric as 'reached' | 'passed' | 'failed'];
  }
}

const failedBy = (summary: RunSummary, failureClass: FailureClass): number => summary.results.filter((r) => r.errorClass === failureClass).length;

const show = (metric: string, v: number): string => (metric.endsWith('rate') ? `${Math.round(v * 10000) / 100} %` : isTimeMetric(metric) ? `${Math.round(v)} ms` : String(v));

/** Checks thresholds against a summary; `regressions` is the number of steps flagged. */
export function evaluateThresholds(thresholds: readonly Threshold[], summary: RunSummary, regressions: number | null): ThresholdResult[] {
  return thresholds.flatMap((t): ThresholdResult[] => {
    if (t.step === null) {
      const { total, passed, failed, infrastructure } = summary.users;
      const values: Record<RunMetric, number | null> = {
        pass_rate: total ? passed / total : null,
        fail_rate: total ? failed / total : null,
        passed,
        failed,
        infrastructure,
        regressions,
      };
      const failureClass = CLASS_METRICS.get(t.metric);
      const v = failureClass ? failedBy(summary, failureClass) : values[t.metric as RunMetric];
      if (v === null) return [{ threshold: t.text, ok: false, detail: t.metric === 'regressions' ? 'no baseline to compare with' : 'nobody ran' }];
      return [{ threshold: t.text, ok: holds(v, t.operator, t.value), detail: `${t.metric} = ${show(t.metric, v)}` }];
    }
    // A vital over every step is about the steps that measured one (a fill loads no page).
    const steps = stepsFor(t, summary.steps).filter((s) => !(t.step === '*' && isVital(t.metric) && stepValue(s, t.metric) === null));
    if (steps.length === 0) return [{ threshold: t.text, ok: false, detail: `no step measured ${t.metric.split('_')[0]!.toUpperCase()}` }];
    return steps.map((s) => {
      const v = stepValue(s, t.metric as StepMetric);
      const where = `step ${s.index} ${s.title}`;
      if (v === null && isVital(t.metric)) return { threshold: t.text, ok: false, detail: `${where}: no ${t.metric.split('_')[0]!.toUpperCase()} measured (nobody passed it with a page load or an interaction)` };
      // A step nobody reached has no rate or time: it cannot have met the condition.
      if (v === null) return { threshold: t.text, ok: false, detail: `${where}: nobody reached it` };
      return { threshold: t.text, ok: holds(v, t.operator, t.value), detail: `${where}: ${t.metric} = ${show(t.metric, v)}` };
    });
  });
}

/** One line per threshold for people to read: `step[*]` collapses to "on all N steps" or its breaches. */
export function collapseThresholds(results: readonly ThresholdResult[]): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const text of new Set(results.map((r) => r.threshold))) {
    const mine = results.filter((r) => r.threshold === text);
    const breached = mine.filter((r) => !r.ok);
    if (breached.length) out.push(...breached);
    else out.push(mine.length > 1 ? { threshold: text, ok: true, detail: `on all ${mine.length} steps` } : mine[0]!);
  }
  return out;
}
