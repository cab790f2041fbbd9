// {{variable}} expansion, and the secrets that must never leave a person's browser.
import { VARIABLE_PATTERN, type Scenario } from '../../../schema/index.js';
import { ReplayInputError } from './errors.js';
import type { Identity } from './identity.js';


export interface VariableScope {
  user: Identity;
  runId: string;
  /** Values taken from emails by extractFromEmail, by name. */
  extracted: Map<string, string>;
  env: NodeJS.ProcessEnv;
}

/** Replaces every {{…}} in text. Names were checked by parseScenario; a missing one throws. */
export function expand(text: string, scope: VariableScope): string {
  return text.replace(VARIABLE_PATTERN, (_, name: string) => {
    const [prefix, field] = name.split('.');
    if (prefix === 'user' && field) {
      const value = scope.user[field as keyof Identity];
      if (value !== undefined) return value;
    } else if (prefix === 'run' && field === 'id') {
      return scope.runId;
    } else if (prefix === 'secret' && field) {
      const value = scope.env[field];
      if (value === undefined) throw new ReplayInputError(`{{secret.${field}}} is not set: export ${field} in the environment`);
      return value;
    } else if (field === undefined) {
      const value = scope.extracted.get(name);
      if (value !== undefined) return value;
    }
    throw new Error(`{{${name}}} has no value here`);
  });
}

/** The names of every {{secret.NAME}} a scenario uses. */
export function secretNames(scenario: Scenario): string[] {
  const names = new Set<string>();
  for (const match of JSON.stringify(scenario.steps).matchAll(VARIABLE_PATTERN)) {
    const [prefix, field] = (match[1] ?? '').split('.');
    if (prefix === 'secret' && field) names.add(field);
  }
  return [...names];
}

const REDACTED = '«redacted»';

/**
 * A secret as it can appear on the way out: as typed, URL-encoded in a form or query, and
 * escaped inside JSON. Longest first, so an encoded form is not half-replaced.
 */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < 3) continue; // too short to tell apart from ordinary text
    forms.add(s);
    forms.add(encodeURIComponent(s));
    // A form body encodes more than encodeURIComponent does ("!" becomes %21, a space +).
    forms.add(new URLSearchParams({ v: s }).toString().slice(2));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Removes passwords and secret values from text bound for logs, summaries and reports. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const form of secretForms(secrets)) out = out.split(form).join(REDACTED);
  return out;
}
