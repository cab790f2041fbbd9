// Reading a scenario file for any command: a missing file or bad JSON is the person's to fix.
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ArrivalPhase, parseScenarioJson, type Scenario } from '../../../schema/index.js';
import { formatPath } from '../../../schema/parse.js';
import { ReplayInputError } from '../engine/errors.js';

/** A flag, file or address the person gave that cannot be used. */
export class UsageError extends ReplayInputError {
  override name = 'UsageError';
}

export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read scenario ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseScenarioJson(text, file);
}

const Phases = z.array(ArrivalPhase).min(1).max(100);

/** An arrival phases file (`--phases`): a JSON list of {duration, arrivalRate, rampTo?, name?}. */
export async function loadPhases(file: string): Promise<ArrivalPhase[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--phases ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const parsed = Phases.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--phases ${file}: ${formatPath(['phases', ...issue.path])}: ${issue.message}`);
  }
  return parsed.data;
}
