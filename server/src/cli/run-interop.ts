// `turnout import` and `turnout export`: recordings between Chrome's Recorder, Turnout and
// Playwright Test.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fromRoot } from '../paths.js';
import { toChromeRecording } from '../../../schema/chrome.js';
import { importChrome } from '../interop/import-chrome.js';
import { toPlaywrightSpec } from '../interop/playwright-spec.js';
import { loadScenario, UsageError } from './load.js';

const HELPERS = fromRoot('server', 'src', 'interop', 'helpers', 'turnout-helpers.ts');
const SCENARIO_SCHEMA_PATH = fromRoot('scenarios', 'scenario.schema.json');

async function output(file: string | undefined, text: string): Promise<void> {
  if (!file) return void process.stdout.write(text);
  await mkdir(dirname(resolve(file)), { recursive: true });
  await writeFile(file, text);
}

export async function runImportCommand(file: string, o: { output?: string; variables?: boolean; endCheck?: boolean }): Promise<number> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const { scenario, notes } = importChrome(data, file, { variables: o.variables, endCheck: o.endCheck });
  // Editors complete and check the file through its $schema, relative to where it is written.
  const schema = relative(dirname(resolve(o.output ?? 'scenario.json')), SCENARIO_SCHEMA_PATH);
  await output(o.output, `${JSON.stringify({ $schema: schema.startsWith('.') ? schema : `./${schema}`, ...scenario }, null, 2)}\n`);
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(`imported ${scenario.steps.length} steps${o.output ? ` into ${o.output}` : ''}${notes.length ? `, ${notes.length} note(s) above` : ''}\n`);
  return 0;
}

export async function runExportCommand(file: string, o: { chrome?: boolean; playwright?: boolean; output?: string; baseUrl?: string }): Promise<number> {
  if (Boolean(o.chrome) === Boolean(o.playwright)) throw new UsageError('export: choose one of --chrome or --playwright');
  const scenario = await loadScenario(file);
  if (o.chrome) {
    await output(o.output, `${JSON.stringify(toChromeRecording(scenario), null, 2)}\n`);
    return 0;
  }
  await output(o.output, toPlaywrightSpec(scenario, { baseUrl: o.baseUrl ?? null }));
  if (o.output) {
    // The spec imports its helper from beside it.
    await copyFile(HELPERS, join(dirname(resolve(o.output)), 'turnout-helpers.ts'));
    process.stderr.write(`wrote ${o.output} and turnout-helpers.ts beside it; email steps read the sink of the server at TURNOUT_URL\n`);
  }
  return 0;
}
