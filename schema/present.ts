// How a run reads to people, the same in the CLI, the reports, the dashboard and the recorder's
// popup: step titles, times, rates, failure groups, an error with the page's own words, a worker's health. Pure functions over the
// summary's types: nothing here runs a browser or reaches a network, so the dashboard bundles it.
import { assertNever } from './never.js';
import type { Selector, Step } from './scenario.js';
import type { FailureClass, NetworkProfile, PersonResult, StepSummary, WorkerHealth } from './summary.js';
import { VITALS, type Vital } from './vitals.js';

export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Math.round(v * 1000) / 10} %`);

/** A selector candidate as written in the summary's `matchedSelector`: its parts joined by ` >> `. */
export function selectorText(selector: Selector): string {
  return typeof selector === 'string' ? selector : selector.join(' >> ');
}

/** People stuck at one step for one reason, with one of them as the example. */
export interface FailureGroup {
  step: StepSummary;
  failureClass: FailureClass;
  count: number;
  sample: PersonResult | undefined;
}

/** The profiles of a run with network cohorts and how many people each had (all of them reach the first step). */
export function networkCohortsOf(steps: readonly StepSummary[]): { profile: NetworkProfile; people: number }[] {
  return Object.entries(steps[0]?.byNetwork ?? {}).map(([profile, f]) => ({ profile: profile as NetworkProfile, people: f.reached }));
}

/**
 * Step timings by network, as a table every report prints alike: a header and one row per step,
 * each profile's "passed/reached · p50 · p95". Null in a run without network cohorts.
 */
export function networkTable(steps: readonly StepSummary[]): { header: string[]; rows: string[][] } | null {
  const cohorts = networkCohortsOf(steps);
  if (cohorts.length === 0) return null;
  return {
    header: ['#', 'step', ...cohorts.flatMap(({ profile, people: n }) => [`${profile} (${n}) passed`, `${profile} p50`, `${profile} p95`])],
    rows: steps.map((s) => [
      String(s.index),
      s.title,
      ...cohorts.flatMap(({ profile }) => {
        const f = s.byNetwork?.[profile];
        return f ? [`${f.passed}/${f.reached}`, ms(f.p50Ms), ms(f.p95Ms)] : ['–', '–', '–'];
      }),
    ]),
  };
}

/** A Web Vital's p50/p95 as text: "1.2 s / 2.4 s" (times), "0.12 / 0.3" (CLS), "–" where not measured. */
export function vitalText(step: StepSummary, vital: Vital): string {
  const v = step.vitals?.[vital];
  if (!v) return '–';
  if ('p50' in v) return `${round3(v.p50)} / ${round3(v.p95)}`;
  return `${ms(v.p50Ms)} / ${ms(v.p95Ms)}`;
}

const round3 = (n: number): string => String(Math.round(n * 1000) / 1000);

/** Web Vitals per step (p50 / p95 of the people who passed), for the steps that measured any; null when none did. */
export function vitalsTable(steps: readonly StepSummary[]): { header: string[]; rows: string[][] } | null {
  const measured = steps.filter((s) => s.vitals);
  if (measured.length === 0) return null;
  return {
    header: ['#', 'step', ...VITALS.map((v) => `${v.toUpperCase()} p50 / p95`)],
    rows: measured.map((s) => [String(s.index), s.title, ...VITALS.map((v) => vitalText(s, v))]),
  };
}

/** One group per step and class, in step order; the step's counts are authoritative, people give samples. */
export function failureGroups(steps: readonly StepSummary[], people: readonly PersonResult[]): FailureGroup[] {
  return steps.flatMap((step) =>
    (Object.entries(step.failures) as [FailureClass, number][]).map(([failureClass, count]) => ({
      step,
      failureClass,
      count,
      sample: people.find((p) => p.failedStep === step.index && p.errorClass === failureClass),
    })),
  );
}

/** The error as a person reads it: Turnout's words, then what the page itself said. */
export function explained(person: Pick<PersonResult, 'error' | 'pageSays'> | undefined): string {
  if (!person?.error) return '';
  return person.pageSays ? `${person.error} — the page says: “${person.pageSays}”` : person.error;
}

/** What a reader needs to trust (or not) the timings a worker measured. */
export function workerText(w: WorkerHealth): string {
  const saturated = w.saturated ? ` · saturated ${w.saturatedSeconds} s: timings not trustworthy` : '';
  return `${w.people} people · CPU avg ${w.cpuAvgPct} %, peak ${w.cpuMaxPct} % · memory peak ${w.memoryUsedMaxMb} of ${w.memoryTotalMb} MB${saturated}`;
}

/** A step's title as people read it: its own `title`, else what it does. */
function shortSelector(selectors: readonly Selector[] | undefined): string {
  const all = (selectors ?? []).map((s) => (typeof s === 'string' ? s : s.at(-1) ?? ''));
  // A name a person would read beats a CSS path.
  const readable = all.find((s) => s.startsWith('aria/') || s.startsWith('text/'));
  const chosen = (readable ?? all[0] ?? '?').replace(/^(aria|text|pierce|xpath)\//, '').replace(/\[role="[^"]+"\]$/, '');
  return chosen.length > 40 ? `${chosen.slice(0, 39)}…` : chosen;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export function describeStep(step: Step): string {
  if (step.title) return step.title;
  switch (step.type) {
    case 'navigate':
      return `open ${pathOf(step.url)}`;
    case 'click':
    case 'doubleClick':
    case 'hover':
      return `${step.type === 'doubleClick' ? 'double-click' : step.type} "${shortSelector(step.selectors)}"`;
    case 'change':
      return `fill "${shortSelector(step.selectors)}" with ${step.value.includes('{{') ? step.value : `"${step.value}"`}`;
    case 'keyDown':
    case 'keyUp':
      return `${step.type === 'keyDown' ? 'press' : 'release'} ${step.key}`;
    case 'waitForElement':
      return `wait for "${shortSelector(step.selectors)}"`;
    case 'waitForEmail':
      return `wait for email${step.subject ? ` "${step.subject}"` : ''}`;
    case 'openEmailLink':
      return `open email link${step.link ? ` "${step.link}"` : ''}`;
    case 'extractFromEmail':
      return `take {{${step.as}}} from email`;
    case 'customStep':
      return `custom ${step.name}`;
    case 'setViewport':
      return `set the window to ${step.width}×${step.height}`;
    case 'scroll':
      return step.selectors?.length ? `scroll "${shortSelector(step.selectors)}"` : 'scroll the page';
    case 'waitForExpression':
      return `wait until ${step.expression.length > 40 ? `${step.expression.slice(0, 39)}…` : step.expression}`;
    case 'close':
      return 'close the window';
    case 'emulateNetworkConditions':
      return `throttle the network (${step.latency} ms latency)`;
    default:
      return assertNever(step, 'step');
  }
}

/** What a server keeps of its run history (`--retain-runs`, `--retain-days`), in words. */
export function describeRetention(keep: { runs: number | null; days: number | null }): string {
  const parts = [keep.runs ? `the newest ${keep.runs} finished runs` : 'every finished run', keep.days ? `none older than ${keep.days} days` : null].filter(Boolean);
  return `keeping ${parts.join(', ')}`;
}
