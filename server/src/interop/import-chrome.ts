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

export function importChrome(data: unknown, source: string, options: { variables?: boolean } = {}): ImportResult {
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
    notes.push('assertedEvents: navigations are waited for; their url and title are kept but not compared (as in Chrome\'s replay)');
  }
  return { scenario, notes };
}
