// How a run reads to people, the same in the CLI, the reports, the dashboard and the recorder's
// popup: step titles, times, rates, failure groups, an error with the page's own words, a worker's health. Pure functions over the
// summary's types: nothing here runs a browser or reaches a network, so the dashboard bundles it.
import { assertNever } from './never.js';
import type { Selector, Step } from './scenario.js';
import type { FailureClass, PersonResult, StepSummary, WorkerHealth } from './summary.js';

export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Math.round(v * 1000) / 10} %`);

/** People stuck at one step for one reason, with one of them as the example. */
export interface FailureGroup {
  step: StepSummary;
  failureClass: FailureClass;
  count: number;
  sample: PersonResult | undefined;
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
