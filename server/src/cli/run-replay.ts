// `turnout replay`: one run from the command line, with the exit code a nightly job acts on,
// thresholds, a comparison with last night, and reports.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ArrivalPhase, RunComparison, RunSummary, Scenario } from '../../../schema/index.js';
import { loadPhases, loadScenario, UsageError } from './load.js';
import { arrivalOffsets } from '../engine/arrivals.js';
import { parseEndpoint } from '../engine/browser-pool.js';
import { newRunId } from '../engine/replay.js';
import { checkRedisUrl } from '../farm/address.js';
import { runScenario, type RunOptionsAnywhere } from '../farm/dispatch.js';
import { compareSummaries, DEFAULT_MARGINS, type RegressionMargins } from '../report/compare.js';
import { workerLines } from '../report/report.js';
import { parseReporter, writeReports, type Reporter } from '../report/reporters.js';
import { checkThresholdSteps, collapseThresholds, evaluateThresholds, parseThreshold, type Threshold, type ThresholdResult } from '../report/thresholds.js';
import { buildSummary } from '../runs/aggregate.js';
import type { Retention } from '../runs/retention.js';
import { RunStore } from '../runs/store.js';
import { progressHooks } from './progress.js';
import { combineHooks, RunStreamer } from './stream.js';
import { failureLines, networkStepTable, stepTable, verdict, vitalsStepTable } from './table.js';

/** Exit codes, as documented in the README. */
export const EXIT = { passed: 0, failed: 1, invalid: 2, thresholds: 3, farm: 4, interrupted: 130 } as const;


/**
 * The farm failing comes first; then, when thresholds were given, they are the verdict (a
 * nightly job that accepts 1 % failures says so with pass_rate>=0.99); without thresholds,
 * anyone failing fails the run.
 */
export function exitCodeFor(summary: RunSummary, thresholds: readonly ThresholdResult[] = []): number {
  const { total, failed, infrastructure } = summary.users;
  if (total > 0 && infrastructure === total) return EXIT.farm;
  if (thresholds.length > 0) return thresholds.every((t) => t.ok) ? EXIT.passed : EXIT.thresholds;
  return failed > 0 ? EXIT.failed : EXIT.passed;
}

export function printReport(summary: RunSummary, out: NodeJS.WritableStream, thresholds: readonly ThresholdResult[] = [], comparison: RunComparison | null = null): void {
  out.write(`\n${summary.scenario} — run ${summary.runId}\n\n${stepTable(summary)}\n\n`);
  const byNetwork = networkStepTable(summary);
  if (byNetwork) out.write(`step timings by network:\n${byNetwork}\n\n`);
  const vitals = vitalsStepTable(summary);
  if (vitals) out.write(`Web Vitals (p50 / p95 of the people who passed):\n${vitals}\n\n`);
  const failures = failureLines(summary);
  if (failures.length) out.write(`${failures.join('\n')}\n\n`);
  if (comparison?.previous) {
    const flagged = comparison.steps.filter((s) => s.regression);
    out.write(`compared with run ${comparison.previous}: ${flagged.length ? `${flagged.length} regression(s)` : 'no regression'}\n`);
    for (const s of flagged) out.write(`  regression at step ${s.index} "${s.title}": ${s.regression}\n`);
    out.write('\n');
  }
  for (const t of collapseThresholds(thresholds)) out.write(`${t.ok ? '✓ held    ' : '✗ BREACHED'}  ${t.threshold} — ${t.detail}\n`);
  if (thresholds.length) out.write('\n');
  // On the farm, each worker's share and health; on one machine only when it was saturated.
  const workers = workerLines(summary);
  if (workers.length > 1 || workers.some((w) => w.saturated)) for (const w of workers) out.write(`worker ${w.worker}: ${w.text}\n`);
  for (const w of summary.warnings ?? []) out.write(`warning: ${w}\n`);
  const blocked = new Map<string, number>();
  for (const r of summary.results) for (const [origin, n] of Object.entries(r.blocked ?? {})) blocked.set(origin, (blocked.get(origin) ?? 0) + n);
  if (blocked.size) {
    const list = [...blocked].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([o, n]) => `${o} (×${n})`).join(', ');
    out.write(`blocked requests to origins outside the allow-list: ${list}${blocked.size > 5 ? ', …' : ''} — allow one with --allow-origin\n`);
  }
  out.write(`${verdict(summary)}\n`);
}

/** What a nightly job adds to a run: thresholds, baseline, reports, where runs are kept. */
export interface NightlyOptions {
  thresholds?: string[];
  config?: string;
  baseline?: string;
  margins?: Partial<RegressionMargins>;
  reporters?: string[];
  summaryJson?: string;
  /** Folder of the run history (SQLite), for `--baseline last`; null keeps no history. */
  dataDir?: string | null;
  /** How much of that history is kept; older runs and their screenshots go after this one is saved. */
  retention?: Retention;
  /** Stream the run to this Turnout server as it happens. */
  server?: string;
  token?: string;
}

export type ReplayCommandOptions = Omit<RunOptionsAnywhere, 'fixturesDir' | 'signal'> & NightlyOptions;

interface ConfigFile {
  thresholds?: string[];
  reporters?: string[];
  baseline?: string;
  regressionMargin?: number;
}

async function readConfig(file: string | undefined): Promise<ConfigFile> {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ConfigFile;
  } catch (e) {
    throw new UsageError(`--config ${file}: ${(e as Error).message}`);
  }
}

async function loadBaseline(spec: string | undefined, scenario: Scenario, store: RunStore | null): Promise<RunSummary | null> {
  if (!spec) return null;
  if (spec === 'last') {
    const last = store?.lastRunOf(scenario.title);
    if (!last) return null; // the first night has nothing to compare with
    return buildSummary(last.scenario, { runId: last.info.id, startedAt: last.info.startedAt, finishedAt: last.info.finishedAt, options: last.info.options }, store!.people(last.info.id));
  }
  try {
    const data = JSON.parse(await readFile(spec, 'utf8')) as RunSummary;
    if (!Array.isArray(data.steps) || typeof data.runId !== 'string') throw new Error('not a Turnout run summary');
    return data;
  } catch (e) {
    throw new UsageError(`--baseline ${spec}: ${(e as Error).message}`);
  }
}

/** The open model asked for on the command line: one phase (--arrival-rate, --duration) or a file. */
export async function arrivalPhases(o: { arrivalRate?: number; duration?: number; phases?: string }): Promise<ArrivalPhase[] | undefined> {
  if (o.phases) {
    if (o.arrivalRate !== undefined) throw new UsageError('--phases and --arrival-rate: give one or the other');
    return loadPhases(o.phases);
  }
  if (o.arrivalRate === undefined) {
    if (o.duration !== undefined) throw new UsageError('--duration goes with --arrival-rate (how long people arrive at that rate)');
    return undefined;
  }
  if (o.duration === undefined) throw new UsageError('--arrival-rate needs --duration (how long people arrive at that rate), e.g. --duration 15s');
  return [{ duration: o.duration, arrivalRate: o.arrivalRate }];
}

/** Runs a scenario file and prints progress and the table; returns the process exit code. */
export async function runReplayCommand(file: string, options: ReplayCommandOptions): Promise<number> {
  const scenario = await loadScenario(file);
  if (options.redis) checkRedisUrl(options.redis);
  for (const e of options.browserEndpoints ?? []) parseEndpoint(e);
  const config = await readConfig(options.config);
  const thresholds: Threshold[] = [...(scenario.thresholds ?? []), ...(config.thresholds ?? []), ...(options.thresholds ?? [])].map(parseThreshold);
  checkThresholdSteps(thresholds, scenario.steps);
  let reporters: Reporter[] = [...(config.reporters ?? []), ...(options.reporters ?? [])].map(parseReporter);
  if (options.summaryJson) reporters = [...reporters, { kind: 'json', target: options.summaryJson }];
  const margins: RegressionMargins = { ...DEFAULT_MARGINS, ...(config.regressionMargin !== undefined ? { p95: config.regressionMargin } : {}), ...options.margins };
  const store = options.dataDir ? new RunStore(options.dataDir) : null;
  try {
    const baseline = await loadBaseline(options.baseline ?? config.baseline, scenario, store);

    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      process.stderr.write(`\n${signal}: stopping the run and closing browsers…\n`);
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const progress = progressHooks(process.stderr);
    const runId = options.runId ?? newRunId();
    const streamer = options.server ? new RunStreamer(options.server, options.token, runId) : null;
    const planned = options.phases ? arrivalOffsets(options.phases).length : options.users * (options.iterations ?? 1);
    await streamer?.open(scenario, planned, { users: options.phases ? planned : options.users, iterations: options.phases ? 1 : (options.iterations ?? 1), baseUrl: options.baseUrl ?? null });
    let summary: RunSummary;
    try {
      summary = await runScenario(
        scenario,
        { ...options, runId, fixturesDir: dirname(resolve(file)), signal: stop.signal },
        streamer ? combineHooks(progress, streamer.hooks()) : progress,
      );
      await streamer?.close(summary, stop.signal.aborted ? 'stopped' : 'finished');
      if (streamer?.error) process.stderr.write(`turnout: streaming to ${options.server} failed: ${streamer.error}\n`);
      else if (streamer) process.stderr.write(`streamed to ${options.server}/#/runs/${runId}\n`);
    } finally {
      progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    store?.saveSummary(summary, scenario, stop.signal.aborted ? 'stopped' : 'finished');
    if (store && options.retention) store.prune(options.retention, options.artifactsDir ?? null);
    const comparison = baseline ? compareSummaries(summary, baseline, margins) : null;
    const verdicts = evaluateThresholds(thresholds, summary, comparison ? comparison.regressions : null);
    printReport(summary, process.stdout, verdicts, comparison);
    const written = await writeReports(reporters, { summary, thresholds: verdicts, comparison, artifactsDir: options.artifactsDir ?? null });
    for (const line of written) process.stdout.write(`report ${line}\n`);
    return stop.signal.aborted ? EXIT.interrupted : exitCodeFor(summary, verdicts);
  } finally {
    store?.close();
  }
}
