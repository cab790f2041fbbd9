// The scenario format as JSON Schema, generated from the zod schema (never written by hand).
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { Scenario } from './scenario.js';

export const SCENARIO_SCHEMA_PATH = fileURLToPath(new URL('../scenarios/scenario.schema.json', import.meta.url));

export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'Turnout scenario' }, null, 2)}\n`;
}
