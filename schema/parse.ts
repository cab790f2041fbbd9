// The one trust boundary for scenarios: untrusted JSON in, a typed Scenario or a ScenarioError
// naming every field that is wrong (`steps[4].selectors: …`) out.
import * as z from 'zod';
import { fromChromeRecording } from './chrome.js';
import { Scenario, USER_FIELDS, VARIABLE_PATTERN, type Step } from './scenario.js';

export interface ScenarioProblem {
  path: string;
  message: string;
}

export class ScenarioError extends Error {
  readonly problems: ScenarioProblem[];
  constructor(problems: ScenarioProblem[], source?: string) {
    const where = source ? `${source}: ` : '';
    super(`${where}invalid scenario\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** `['steps', 4, 'selectors']` → `steps[4].selectors`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(scenario)';
}

function zodProblems(error: z.ZodError): ScenarioProblem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

const KNOWN_PREFIXES = new Set(['user', 'run', 'secret']);

/** Every {{variable}} must be an identity field, run.id, a secret, or extracted by an earlier step. */
function variableProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const extracted = new Set<string>();
  const check = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(VARIABLE_PATTERN)) {
        const message = unknownVariable(match[1] ?? '', extracted);
        if (message) problems.push({ path, message });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => check(v, `${path}[${i}]`));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) check(v, `${path}.${k}`);
    }
  };
  scenario.steps.forEach((step: Step, i) => {
    check(step, `steps[${i}]`);
    if (step.type === 'extractFromEmail') extracted.add(step.as);
  });
  return problems;
}

function unknownVariable(name: string, extracted: Set<string>): string | null {
  const [prefix, field, ...rest] = name.split('.');
  if (field === undefined) {
    return extracted.has(name) ? null : `{{${name}}} is used before any extractFromEmail step defines it`;
  }
  if (!KNOWN_PREFIXES.has(prefix ?? '') || rest.length > 0) {
    return `unknown variable {{${name}}}; use user.*, run.id, secret.NAME or a name from extractFromEmail`;
  }
  if (prefix === 'user' && !(USER_FIELDS as readonly string[]).includes(field)) {
    return `unknown variable {{${name}}}; user fields are ${USER_FIELDS.join(', ')}`;
  }
  if (prefix === 'run' && field !== 'id') return `unknown variable {{${name}}}; the run offers run.id`;
  return null;
}

function structuralProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  scenario.steps.forEach((step, i) => {
    // Chrome exports an empty list for steps inside a frame it could not describe; anywhere else
    // an empty list would leave the step with nothing to act on.
    if ('selectors' in step && Array.isArray(step.selectors) && step.selectors.length === 0 && !step.frame) {
      if (step.type !== 'scroll') problems.push({ path: `steps[${i}].selectors`, message: 'at least one selector is needed' });
    }
    if (step.type === 'extractFromEmail') {
      try {
        const groups = new RegExp(`${step.pattern}|`).exec('')!.length - 1;
        if (groups < 1) problems.push({ path: `steps[${i}].pattern`, message: 'needs one capture group, e.g. "code: (\\d{6})"' });
      } catch (e) {
        problems.push({ path: `steps[${i}].pattern`, message: `not a valid regular expression (${(e as Error).message})` });
      }
    }
    if ((step.type === 'openEmailLink' || step.type === 'extractFromEmail') && !scenario.steps.slice(0, i).some((s) => s.type === 'waitForEmail')) {
      problems.push({ path: `steps[${i}].type`, message: `${step.type} needs an earlier waitForEmail step` });
    }
  });
  return problems;
}

/** Turns untrusted data into a Scenario, or throws a ScenarioError naming each wrong field. */
export interface ParseLimits {
  /** Most steps a scenario may have (a server may set fewer). */
  maxSteps?: number;
}

export const DEFAULT_MAX_STEPS = 1000;

export function parseScenario(data: unknown, source?: string, limits: ParseLimits = {}): Scenario {
  const maxSteps = limits.maxSteps ?? DEFAULT_MAX_STEPS;
  const steps = (data as { steps?: unknown } | null)?.steps;
  // Checked first: a huge scenario is refused before any work is spent on it.
  if (Array.isArray(steps) && steps.length > maxSteps) {
    throw new ScenarioError([{ path: 'steps', message: `at most ${maxSteps} steps are allowed; this scenario has ${steps.length}` }], source);
  }
  // A file Turnout exported for Chrome carries its email steps as customStep: read them back.
  const result = Scenario.safeParse(fromChromeRecording(data));
  if (!result.success) throw new ScenarioError(zodProblems(result.error), source);
  const problems = [...structuralProblems(result.data), ...variableProblems(result.data)];
  if (problems.length > 0) throw new ScenarioError(problems, source);
  return result.data;
}

/** Parses scenario JSON text; a syntax error names the line and column. */
export function parseScenarioJson(text: string, source?: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError([{ path: '(json)', message: (e as Error).message }], source);
  }
  return parseScenario(data, source);
}
