// Exports: Turnout's own format, or a file Chrome's Recorder imports (Turnout-only steps travel
// as customStep with their parameters; Turnout runs them as themselves when it reads them back).
import { toChromeRecording } from '../../../schema/chrome.js';
import type { Scenario } from '../../../schema/scenario.js';

export function exportScenario(scenario: Scenario, format: 'turnout' | 'chrome'): string {
  return `${JSON.stringify(format === 'chrome' ? toChromeRecording(scenario) : scenario, null, 2)}\n`;
}
