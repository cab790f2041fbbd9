// The `turnout` command. Errors a person can fix (bad scenario, bad flag, missing secret) print
// one clear message and exit 2; the farm failing (no browser) exits 4; never a stack trace.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ScenarioError } from '../../../schema/parse.js';
import { parseNetwork, type NetworkCohort } from '../../../schema/summary.js';
import { parseDuration, parseRate } from '../engine/arrivals.js';
import { DEFAULT_MAIL_DOMAIN, DEFAULT_SMTP_PORT } from '../engine/defaults.js';
import { DEFAULT_RETENTION } from '../runs/retention.js';
import { InfrastructureError, ReplayInputError } from '../engine/errors.js';
import type { ServeCommandOptions } from './run-serve.js';

// Each command loads its own modules when it runs: `turnout validate` need not load a browser
// driver, a web server and a database first.
const replayCommand = () => import('./run-replay.js');

/** Exit codes, as documented in the README. */
const EXIT = { passed: 0, failed: 1, invalid: 2, thresholds: 3, farm: 4, interrupted: 130 } as const;


function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${value}"`);
    return n;
  };
}

/** Seconds on the command line (decimals allowed), milliseconds inside. */
function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected seconds ≥ 0, got "${value}"`);
  return Math.round(n * 1000);
}

function ratio(value: string): number {
  const n = value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a ratio such as 0.2 or 20%, got "${value}"`);
  return n;
}

function rate(value: string): number {
  const n = parseRate(value);
  if (n === null || n <= 0) throw new InvalidArgumentError(`expected a rate such as 4/s or 240/m, got "${value}"`);
  return n;
}

/** A duration such as 15s, 2m or 1h; seconds inside. */
function time(value: string): number {
  const n = parseDuration(value);
  if (n === null || n <= 0) throw new InvalidArgumentError(`expected a duration such as 15s, 2m or 1h, got "${value}"`);
  return n;
}

function think(value: string): 'none' | 'recorded' | number {
  if (value === 'none' || value === 'recorded') return value;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 600) throw new InvalidArgumentError(`expected recorded, none or seconds (0–600), got "${value}"`);
  return Math.round(n * 1000);
}

function scale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError(`expected a factor between 0 and 100, got "${value}"`);
  return n;
}

function network(value: string): NetworkCohort[] {
  const parsed = parseNetwork(value);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const program = new Command('turnout')
  .description('Synthetic-user testing: replay a recorded enrollment as many distinct people.')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

program
  .command('replay')
  .description('replay a scenario as N synthetic people and print the per-step funnel')
  .argument('<scenario>', 'scenario JSON file')
  .option('-u, --users <n>', 'synthetic people per iteration', integer(1), 1)
  .option('-c, --concurrency <n>', 'people running at once (default: 4 per core)', integer(1))
  .option('--ramp-up <seconds>', 'spread the starts over this many seconds', seconds, 0)
  .option('--arrival-rate <rate>', 'open model: people arriving per second or minute, e.g. 4/s or 240/m (with --duration)', rate)
  .option('--duration <time>', 'how long people arrive at --arrival-rate, e.g. 15s, 2m', time)
  .option('--phases <file>', 'open model: JSON list of arrival phases [{duration, arrivalRate, rampTo?, name?}]')
  .option('--think <recorded|none|seconds>', 'pause before each step: as recorded (pauseMs), none, or a fixed number of seconds', think, 'none')
  .option('--think-scale <factor>', 'multiply every think pause by this (0.5: half as long)', scale, 1)
  .option('--network <cohorts>', 'network cohorts by share, e.g. "none:60,4g:30,3g:10" (profiles: none, 4g, 3g, slow-3g)', network)
  .option('--no-vitals', 'measure no Web Vitals (TTFB, FCP, LCP, CLS, INP) per step')
  .option('--max-concurrency <n>', 'open model: most people running at once; arrivals past it are dropped (default: 4 per core)', integer(1))
  .option('--iterations <n>', 'send the crowd through this many times (new people each time)', integer(1), 1)
  .option('--step-timeout <seconds>', 'default time a step may take', seconds)
  .option('--email-timeout <seconds>', 'default time to wait for an email', seconds)
  .option('--deadline <seconds>', 'time one person may take in all', seconds)
  .option('--base-url <url>', 'replay against this origin instead of the recorded one')
  .option('--allow-origin <origin>', 'also allow navigation to this origin (repeatable)', collect)
  .option('--smtp-port <port>', 'port of the SMTP sink the target mails to', integer(0), DEFAULT_SMTP_PORT)
  .option('--mail-domain <domain>', 'domain of the synthetic people’s addresses', DEFAULT_MAIL_DOMAIN)
  .option('--seed <seed>', 'identity seed (same seed, same people)')
  .option('--browsers <n>', 'browser processes (default: one per core)', integer(1))
  .addOption(new Option('--browser <kind>', 'which Chromium build').choices(['headless-shell', 'chromium']).default('headless-shell'))
  .option('--summary-json <file>', 'write the run summary here')
  .option('--artifacts <dir>', 'folder for failure screenshots and traces', '.turnout/artifacts')
  .option('--threshold <expr>', 'a condition the run must meet, e.g. "pass_rate>=0.99" (repeatable)', collect)
  .option('--config <file>', 'JSON file with thresholds, reporters, baseline, regressionMargin')
  .option('--baseline <file|last>', 'compare with a run summary file, or with the last run of this scenario')
  .option('--regression-margin <ratio>', 'p95 this much slower is a regression (0.2 = 20 %)', ratio)
  .option('--reporter <kind=target>', 'json=FILE, junit=FILE, html=DIR or github[=FILE] (repeatable)', collect)
  .addOption(new Option('--trace <when>', 'keep Playwright traces').choices(['off', 'on-failure']).default('off'))
  .option('--trace-cap <n>', 'most traces kept per run', integer(0), 10)
  .option('--data <dir>', 'run history (for --baseline last and the dashboard)', '.turnout')
  .option('--retain-runs <n>', 'in --data, keep the newest N finished runs with their screenshots (0: all)', integer(0), DEFAULT_RETENTION.runs)
  .option('--retain-days <d>', 'in --data, remove finished runs older than D days (0: never)', integer(0), DEFAULT_RETENTION.days)
  .option('--server <url>', 'stream the run live to a Turnout server (its dashboard keeps it)')
  .option('--token <token>', 'access token for --server')
  .option('--redis <url>', 'run the people on the farm: `turnout worker` processes on this Redis')
  .option('--no-sink', 'with --redis: the target mails a `turnout sink` process; start no sink here')
  .addOption(new Option('--worker-wait <seconds>', 'with --redis: give up on people left when no worker is connected this long').argParser(seconds).default(60_000, '60'))
  .option('--browser-endpoint <ws-url>', 'use a Playwright browser server instead of local Chromium; "#capacity=N" caps its contexts (repeatable)', collect)
  .action(async (file: string, o: Record<string, unknown>) => {
    const run = await replayCommand();
    process.exitCode = await run.runReplayCommand(file, {
      users: o.users as number,
      concurrency: (o.maxConcurrency ?? o.concurrency) as number | undefined,
      phases: await run.arrivalPhases(o as { arrivalRate?: number; duration?: number; phases?: string }),
      rampUpMs: o.rampUp as number,
      think: o.think as 'none' | 'recorded' | number,
      thinkScale: o.thinkScale as number,
      network: o.network as NetworkCohort[] | undefined,
      vitals: o.vitals as boolean,
      iterations: o.iterations as number,
      stepTimeoutMs: o.stepTimeout as number | undefined,
      emailTimeoutMs: o.emailTimeout as number | undefined,
      personDeadlineMs: o.deadline as number | undefined,
      baseUrl: (o.baseUrl as string | undefined) ?? null,
      allowOrigins: (o.allowOrigin as string[] | undefined) ?? [],
      smtpPort: o.smtpPort as number,
      mailDomain: o.mailDomain as string,
      seed: o.seed as string | undefined,
      browsers: o.browsers as number | undefined,
      prefer: o.browser as 'headless-shell' | 'chromium',
      artifactsDir: o.artifacts as string,
      summaryJson: o.summaryJson as string | undefined,
      retention: { runs: (o.retainRuns as number) || null, days: (o.retainDays as number) || null },
      thresholds: o.threshold as string[] | undefined,
      config: o.config as string | undefined,
      baseline: o.baseline as string | undefined,
      margins: o.regressionMargin === undefined ? {} : { p95: o.regressionMargin as number },
      reporters: o.reporter as string[] | undefined,
      trace: o.trace as 'off' | 'on-failure',
      traceCap: o.traceCap as number,
      dataDir: o.data as string,
      server: o.server as string | undefined,
      token: (o.token as string | undefined) ?? process.env.TURNOUT_TOKEN,
      redis: (o.redis as string | undefined) ?? process.env.TURNOUT_REDIS,
      workerWaitMs: o.workerWait as number,
      startSink: o.sink as boolean,
      browserEndpoints: o.browserEndpoint as string[] | undefined,
    });
  });

program
  .command('validate')
  .description('check a scenario file and name every field that is wrong')
  .argument('<scenario>', 'scenario JSON file')
  .action(async (file: string) => {
    const scenario = await (await import('./load.js')).loadScenario(file);
    process.stdout.write(`${file}: valid — "${scenario.title}", ${scenario.steps.length} steps\n`);
  });

program
  .command('drift')
  .description("selector drift of a stored scenario on a Turnout server: the first candidate's share of people, run after run")
  .argument('<scenario>', 'id of the scenario on the server')
  .requiredOption('--server <url>', 'the Turnout server, e.g. http://127.0.0.1:4000')
  .option('--token <token>', 'access token for --server (or TURNOUT_TOKEN)')
  .option('--last <n>', 'runs to look at, newest', integer(1), 30)
  .action(async (id: string, o: { server: string; token?: string; last: number }) => {
    process.exitCode = await (await import('./run-drift.js')).runDriftCommand(id, { ...o, token: o.token ?? process.env.TURNOUT_TOKEN });
  });

program
  .command('demo')
  .description('start the demo enrollment site and the SMTP sink, replay the demo scenario, keep serving')
  .option('-u, --users <n>', 'synthetic people in the demo run', integer(1), 10)
  .option('--port <port>', 'demo site port', integer(0), 4100)
  .option('--smtp-port <port>', 'SMTP sink port', integer(0), DEFAULT_SMTP_PORT)
  .option('--faults <list>', 'fault percentages, e.g. "email-never-sent=10,submit-500=5"', '')
  .option('--once', 'stop after the demo run instead of serving on')
  .action(async (o: { users: number; port: number; smtpPort: number; faults: string; once?: boolean }) => {
    process.exitCode = await (await import('./run-demo.js')).runDemoCommand(o);
  });

program
  .command('serve')
  .description('serve the dashboard, the HTTP API and the SMTP sink on 127.0.0.1')
  .option('--port <port>', 'dashboard and API port', integer(0), 4000)
  .option('--smtp-port <port>', 'SMTP sink port', integer(0), DEFAULT_SMTP_PORT)
  .option('--data <dir>', 'folder for the database and screenshots', '.turnout')
  .option('--host <address>', 'address to listen on; beyond loopback a token is required', '127.0.0.1')
  .option('--token <token>', 'access token for the API, dashboard and socket.io (or TURNOUT_TOKEN)')
  .option('--body-limit <size>', 'largest request body, e.g. 1mb', '1mb')
  .option('--max-users <n>', 'most people one run may ask for', integer(1), 2000)
  .option('--max-steps <n>', 'most steps a stored scenario may have', integer(1), 500)
  .option('--retain-runs <n>', 'keep the newest N finished runs with their screenshots (0: all)', integer(0), DEFAULT_RETENTION.runs)
  .option('--retain-days <d>', 'remove finished runs older than D days (0: never)', integer(0), DEFAULT_RETENTION.days)
  .option('--demo', 'also start the demo site and run the demo scenario once')
  .option('--demo-port <port>', 'demo site port', integer(0), 4100)
  .option('--demo-users <n>', 'people in the first demo run', integer(1), 10)
  .option('--faults <list>', 'demo site fault percentages, e.g. "email-never-sent=10"', '')
  .option('--redis <url>', 'send runs to the farm: `turnout worker` processes on this Redis (or TURNOUT_REDIS)', process.env.TURNOUT_REDIS)
  .action(async (o: ServeCommandOptions) => {
    process.exitCode = await (await import('./run-serve.js')).runServeCommand({ ...o, token: o.token ?? process.env.TURNOUT_TOKEN });
  });

program
  .command('worker')
  .description('a farm machine: take synthetic people from Redis and replay them on local (or remote) browsers')
  .requiredOption('--redis <url>', 'the farm’s Redis, e.g. redis://10.0.0.5:6379 (or TURNOUT_REDIS)', process.env.TURNOUT_REDIS)
  .option('-c, --concurrency <n>', 'people at once on this machine (default: 4 per core)', integer(1))
  .option('--browsers <n>', 'browser processes (default: one per core)', integer(1))
  .addOption(new Option('--browser <kind>', 'which Chromium build').choices(['headless-shell', 'chromium']).default('headless-shell'))
  .option('--browser-endpoint <ws-url>', 'use a Playwright browser server instead of local Chromium (repeatable)', collect)
  .addOption(new Option('--lock-duration <seconds>', 'a silent worker’s people are retried after this long').argParser(seconds).default(30_000, '30'))
  .option('--fixtures <dir>', 'folder that file-upload paths in scenarios are relative to')
  .action(async (o: import('./run-farm.js').WorkerCommandOptions) => {
    process.exitCode = await (await import('./run-farm.js')).runWorkerCommand(o);
  });

program
  .command('sink')
  .description('an SMTP sink for the farm: the target mails it, and people on every worker get their mail')
  .requiredOption('--redis <url>', 'the farm’s Redis (or TURNOUT_REDIS)', process.env.TURNOUT_REDIS)
  .option('--smtp-port <port>', 'SMTP port', integer(0), DEFAULT_SMTP_PORT)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .action(async (o: import('./run-farm.js').SinkCommandOptions) => {
    process.exitCode = await (await import('./run-farm.js')).runSinkCommand(o);
  });

program
  .command('import')
  .description('turn a Chrome DevTools Recorder file into a Turnout scenario, with notes on what replays differently')
  .argument('<file>', 'Chrome Recorder JSON')
  .option('-o, --output <file>', 'write here instead of stdout')
  .option('--variables', 'replace literal email addresses and passwords with {{user.email}} / {{user.password}}')
  .option('--end-check', 'add a last step checking the recording ended on the page it landed on last (its title and path)')
  .action(async (file: string, o: { output?: string; variables?: boolean; endCheck?: boolean }) => {
    process.exitCode = await (await import('./run-interop.js')).runImportCommand(file, o);
  });

program
  .command('export')
  .description("write a scenario for Chrome's Recorder (--chrome) or as a Playwright Test spec (--playwright)")
  .argument('<scenario>', 'scenario JSON file')
  .option('--chrome', "a file Chrome's Recorder imports; Turnout's email steps become customStep")
  .option('--playwright', 'a Playwright Test spec, with turnout-helpers.ts beside it')
  .option('-o, --output <file>', 'write here instead of stdout')
  .option('--base-url <url>', 'with --playwright: open this origin instead of the recorded one')
  .action(async (file: string, o: { chrome?: boolean; playwright?: boolean; output?: string; baseUrl?: string }) => {
    process.exitCode = await (await import('./run-interop.js')).runExportCommand(file, o);
  });

function fail(message: string, code: number): void {
  process.stderr.write(`turnout: ${message}\n`);
  process.exitCode = code;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; any other usage mistake is invalid input.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.invalid;
  } else if (error instanceof ScenarioError || error instanceof ReplayInputError) {
    // Errors a person can fix by changing what they asked for.
    fail(error.message, EXIT.invalid);
  } else if (error instanceof InfrastructureError) {
    fail(error.message, EXIT.farm);
  } else {
    const e = error as Error;
    fail(process.env.TURNOUT_DEBUG ? String(e.stack) : `${e.message} (set TURNOUT_DEBUG=1 for details)`, EXIT.farm);
  }
}

// A command that has finished exits, even when a connection to a farm that went away is still
// retrying in the background: a nightly job must not hang on it.
setTimeout(() => process.exit(), 2000).unref();
