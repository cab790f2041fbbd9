// `turnout import`: a Chrome Recorder file → a Turnout scenario, with a report of everything that
// replays differently here. Nothing is dropped: the format is a superset and unknown fields stay.
import { parseScenario, type Scenario, type Step } from '../../../schema/index.js';

export interface ImportResult {
  scenario: Scenario;
  /** One line per thing a person should know, naming the step. */
  notes: string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PASSWORD_FIELD = /pass(word)?|pwd/i;

function describeSelectors(step: Step): string {
  return 'selectors' in step && Array.isArray(step.selectors) ? JSON.stringify(step.selectors) : '';
}

/** What reports call the end check (the recorder's, server-side). */
const END_CHECK = { name: 'end-page', title: 'reached the end page' } as const;

/**
 * Chrome's Recorder does not say where a recording ended: without a check, a replay whose last
 * click led nowhere would pass. The last page it landed on is known by its title, so the end
 * check waits for that title (and path) — as close to the recorder's heading check as a file
 * without the page can get.
 */
function endCheck(scenario: Scenario): { step: Step | null; note: string } {
  const last = scenario.steps.at(-1);
  if (last?.type === 'waitForElement' || last?.type === 'waitForExpression') return { step: null, note: 'the recording already ends with a check: no end check added' };
  const landing = scenario.steps.flatMap((s) => s.assertedEvents ?? []).filter((e) => e.type === 'navigation' && (e.title || e.url)).at(-1);
  if (!landing) return { step: null, note: 'no navigation in the recording says where it ended: no end check added (record a check as the last step)' };
  const path = landing.url ? new URL(landing.url).pathname : null;
  const conditions = [landing.title ? `document.title === ${JSON.stringify(landing.title)}` : null, path ? `location.pathname === ${JSON.stringify(path)}` : null].filter(Boolean);
  return {
    step: { type: 'waitForExpression', ...END_CHECK, expression: conditions.join(' && ') },
    note: `steps[${scenario.steps.length}]: end check added — the page must be ${landing.title ? `"${landing.title}" ` : ''}${path ? `at ${path}` : ''}`.trim(),
  };
}

export function importChrome(data: unknown, source: string, options: { variables?: boolean; endCheck?: boolean } = {}): ImportResult {
  const scenario = parseScenario(data, source);
  const notes: string[] = [];
  scenario.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if (step.type === 'customStep') notes.push(`${at}: customStep "${step.name}" is kept; Turnout's replay skips it, as Chrome's does without its extension`);
    if ((step.type === 'click' || step.type === 'doubleClick') && (step.button === 'back' || step.button === 'forward')) {
      notes.push(`${at}: the ${step.button} mouse button is replayed as the primary button`);
    }
    if ((step.type === 'click' || step.type === 'doubleClick') && step.deviceType === 'touch') notes.push(`${at}: a touch is replayed as a mouse click`);
    if (step.assertedEvents?.some((e) => e.url || e.title)) {
      // Reported once per file below, not per step.
    }
    if (step.type === 'change') {
      const looksPassword = PASSWORD_FIELD.test(describeSelectors(step));
      const variable = EMAIL.test(step.value) ? '{{user.email}}' : looksPassword && !step.value.includes('{{') ? '{{user.password}}' : null;
      if (variable) {
        const what = variable === '{{user.email}}' ? 'an email address' : 'a password';
        if (options.variables) {
          notes.push(`${at}.value: ${what} replaced by ${variable}`);
          step.value = variable;
        } else {
          notes.push(`${at}.value: ${what} typed literally — every synthetic person would use it; --variables turns it into ${variable}`);
        }
      }
    }
  });
  if (scenario.steps.some((s) => s.assertedEvents?.some((e) => e.url || e.title))) {
    notes.push('assertedEvents: each landing page is checked against its recorded title (digits may differ) and its path and query-parameter names; another page fails as unexpected-page');
  }
  if (options.endCheck) {
    const check = endCheck(scenario);
    if (check.step) scenario.steps.push(check.step);
    notes.push(check.note);
  }
  return { scenario, notes };
}
