// Reading a scenario file for any command: a missing file or bad JSON is the person's to fix.
import { readFile } from 'node:fs/promises';
import { parseScenarioJson, type Scenario } from '../../../schema/index.js';
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
