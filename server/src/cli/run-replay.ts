// `turnout replay`: one run from the command line, with the exit code a nightly job acts on.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseScenarioJson, type RunSummary, type Scenario } from '../../../schema/index.js';
import { replay, type ReplayOptions } from '../engine/replay.js';
import { progressHooks } from './progress.js';
import { failureLines, stepTable, verdict } from './table.js';

/** Exit codes, as documented in the README. */
export const EXIT = { passed: 0, failed: 1, invalid: 2, farm: 4, interrupted: 130 } as const;

export class UsageError extends Error {
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

export function exitCodeFor(summary: RunSummary): number {
  const { total, failed, infrastructure } = summary.users;
  if (total > 0 && infrastructure === total) return EXIT.farm;
  return failed > 0 ? EXIT.failed : EXIT.passed;
}

export function printReport(summary: RunSummary, out: NodeJS.WritableStream): void {
  out.write(`\n${summary.scenario} — run ${summary.runId}\n\n${stepTable(summary)}\n\n`);
  const failures = failureLines(summary);
  if (failures.length) out.write(`${failures.join('\n')}\n\n`);
  out.write(`${verdict(summary)}\n`);
}

export interface ReplayCommandOptions extends Omit<ReplayOptions, 'fixturesDir' | 'signal'> {
  summaryJson?: string;
}

/** Runs a scenario file and prints progress and the table; returns the process exit code. */
export async function runReplayCommand(file: string, options: ReplayCommandOptions): Promise<number> {
  const scenario = await loadScenario(file);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the run and closing browsers…\n`);
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressHooks(process.stderr);
  let summary: RunSummary;
  try {
    summary = await replay(scenario, { ...options, fixturesDir: dirname(resolve(file)), signal: stop.signal }, progress);
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  printReport(summary, process.stdout);
  if (options.summaryJson) {
    await mkdir(dirname(resolve(options.summaryJson)), { recursive: true });
    await writeFile(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`summary written to ${options.summaryJson}\n`);
  }
  return stop.signal.aborted ? EXIT.interrupted : exitCodeFor(summary);
}
