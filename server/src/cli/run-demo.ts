// `turnout demo` (what `npm start` runs): the SMTP sink and the demo enrollment site on loopback,
// one replay of the demo scenario with its per-step table, then both keep serving for the
// person to explore (or to point `turnout replay` at) until Ctrl-C.
import { once } from 'node:events';
import { fromRoot } from '../paths.js';
import { parseFaults, type FaultPercentages } from '../../../scenarios/demo-site/faults.js';
import { startDemoSite } from '../../../scenarios/demo-site/site.js';
import { replay } from '../engine/replay.js';
import { MailSink } from '../mail/sink.js';
import { progressHooks } from './progress.js';
import { loadScenario, UsageError } from './load.js';
import { exitCodeFor, printReport } from './run-replay.js';

export const DEMO_SCENARIO = fromRoot('scenarios', 'demo-enrollment.json');

export interface DemoOptions {
  users: number;
  port: number;
  smtpPort: number;
  faults: string;
  once?: boolean;
}

/** The --faults flag, or a usage error naming it. */
export function faultsFlag(text: string): FaultPercentages {
  try {
    return parseFaults(text);
  } catch (e) {
    throw new UsageError(`--faults: ${(e as Error).message}`);
  }
}

export async function runDemoCommand(options: DemoOptions): Promise<number> {
  const faults = faultsFlag(options.faults);
  const scenario = await loadScenario(DEMO_SCENARIO);
  const sink = new MailSink({ port: options.smtpPort });
  await sink.start();
  const site = await startDemoSite(options.port, { smtpPort: sink.port, faults }).catch(async (e: Error) => {
    await sink.stop();
    throw new UsageError(`cannot start the demo site on port ${options.port}: ${e.message}`);
  });
  const stop = async (): Promise<void> => {
    await site.close();
    await sink.stop();
  };
  process.stdout.write(`demo site   ${site.url}/\nSMTP sink   smtp://127.0.0.1:${sink.port} (any address @inbox.turnout.test)\n\n`);
  let code: number;
  const progress = progressHooks(process.stderr);
  try {
    const summary = await replay(
      scenario,
      { users: options.users, baseUrl: site.url, sink, artifactsDir: '.turnout/artifacts', fixturesDir: process.cwd() },
      progress,
    );
    progress.stop();
    printReport(summary, process.stdout);
    code = exitCodeFor(summary);
  } catch (e) {
    progress.stop();
    await stop();
    throw e;
  }
  if (options.once) {
    await stop();
    return code;
  }
  // Hand the SMTP port over: the site keeps mailing to it, and `turnout replay` starts its own
  // sink there, so the next run from another terminal works as is.
  await sink.stop();
  process.stdout.write(
    `\nThe demo site keeps serving at ${site.url}/ and mails to port ${sink.port}.\n` +
      `In another terminal: npx turnout replay scenarios/demo-enrollment.json --users 20 --base-url ${site.url} --smtp-port ${sink.port}\n` +
      `Ctrl-C to stop.\n`,
  );
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await site.close();
  return code;
}
