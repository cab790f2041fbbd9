// Chrome DevTools Recorder files in and out. Turnout's format is a superset, so importing keeps
// everything (unknown fields survive); Turnout's own steps travel to Chrome as `customStep` and
// come back as themselves. export(import(x)) is x for every file Chrome writes.
import type { Scenario, Step } from './scenario.js';

export const TURNOUT_ONLY_STEPS = ['waitForEmail', 'openEmailLink', 'extractFromEmail'] as const;
const TURNOUT_ONLY = new Set<string>(TURNOUT_ONLY_STEPS);

/** A scenario as Chrome's Recorder imports it. */
export function toChromeRecording(scenario: Scenario): Record<string, unknown> {
  const { $schema: _schema, thresholds: _thresholds, ...rest } = scenario;
  return { ...rest, steps: scenario.steps.map(toChromeStep) };
}

function toChromeStep(step: Step): Record<string, unknown> {
  if (step.type === 'customStep') return { ...step };
  const { name: _name, title: _title, pauseMs: _pauseMs, ...rest } = step as Record<string, unknown>;
  if (!TURNOUT_ONLY.has(step.type)) return rest;
  const { type, timeout, target, frame, assertedEvents, ...parameters } = rest;
  return { type: 'customStep', name: type, parameters, ...(timeout ? { timeout } : {}), ...(target ? { target } : {}), ...(frame ? { frame } : {}), ...(assertedEvents ? { assertedEvents } : {}) };
}

/** Chrome's JSON as Turnout steps: `customStep`s that carry Turnout steps become those steps. */
export function fromChromeRecording(data: unknown): unknown {
  if (!data || typeof data !== 'object' || !Array.isArray((data as { steps?: unknown }).steps)) return data;
  const recording = data as { steps: unknown[] };
  return {
    ...recording,
    steps: recording.steps.map((s) => {
      const step = s as { type?: unknown; name?: unknown; parameters?: unknown };
      if (step?.type !== 'customStep' || !TURNOUT_ONLY.has(String(step.name)) || typeof step.parameters !== 'object' || step.parameters === null) return s;
      const { name, parameters, type: _t, ...rest } = step as Record<string, unknown>;
      return { ...rest, type: name, ...(parameters as object) };
    }),
  };
}
