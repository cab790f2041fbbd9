// Exports: Turnout's own format, or a file Chrome's Recorder imports (Turnout-only steps travel
// as customStep with their parameters; Turnout runs them as themselves when it reads them back).
import type { Scenario, Step } from '../../../schema/scenario.js';

const TURNOUT_ONLY = new Set(['waitForEmail', 'openEmailLink', 'extractFromEmail']);

function toChromeStep(step: Step): Record<string, unknown> {
  if (step.type === 'customStep') return step;
  const { name: _name, title: _title, ...rest } = step as Record<string, unknown>;
  if (!TURNOUT_ONLY.has(step.type)) return rest;
  const { type, timeout, ...parameters } = rest;
  return { type: 'customStep', name: type, parameters, ...(timeout ? { timeout } : {}) };
}

export function exportScenario(scenario: Scenario, format: 'turnout' | 'chrome'): string {
  const out = format === 'chrome' ? { title: scenario.title, steps: scenario.steps.map(toChromeStep) } : scenario;
  return `${JSON.stringify(out, null, 2)}\n`;
}
