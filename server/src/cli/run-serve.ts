// `turnout serve` (and, with --demo, what `npm start` runs): the dashboard, API and SMTP sink on
// loopback; with --demo also the demo site and a first demo run whose table is printed.
import { once } from 'node:events';
import { describeRetention } from '../../../schema/present.js';
import { startDemoSite, type DemoSite } from '../../../scenarios/demo-site/site.js';
import { checkRedisUrl, redisLabel } from '../farm/address.js';
import { startServer } from '../http/server.js';
import { DEMO_SCENARIO, faultsFlag } from './run-demo.js';
import { loadScenario, UsageError } from './load.js';
import { printReport } from './run-replay.js';

export const DEMO_SCENARIO_ID = 'demo';

export interface ServeCommandOptions {
  port: number;
  smtpPort: number;
  data: string;
  host: string;
  token?: string;
  bodyLimit: string;
  maxUsers: number;
  maxSteps: number;
  retainRuns: number;
  retainDays: number;
  demo?: boolean;
  demoPort: number;
  demoUsers: number;
  faults: string;
  /** Send runs to the farm on this Redis instead of replaying them here. */
  redis?: string;
}

export async function runServeCommand(o: ServeCommandOptions): Promise<number> {
  const faults = faultsFlag(o.faults);
  const server = await startServer({
    port: o.port,
    host: o.host,
    token: o.token ?? null,
    smtpPort: o.smtpPort,
    dataDir: o.data,
    bodyLimit: o.bodyLimit,
    maxUsers: o.maxUsers,
    maxSteps: o.maxSteps,
    retention: { runs: o.retainRuns || null, days: o.retainDays || null },
    defaults: o.redis ? { redis: checkRedisUrl(o.redis) } : undefined,
  }).catch((e: Error) => {
    throw new UsageError(`cannot start the server: ${e.message}`);
  });
  let site: DemoSite | null = null;
  const out = process.stdout;
  out.write(`dashboard   ${server.url}/\nAPI         ${server.url}/api/health\nSMTP sink   smtp://127.0.0.1:${server.smtpPort}\ndata        ${o.data} (${describeRetention({ runs: o.retainRuns || null, days: o.retainDays || null })})\n`);
  if (o.redis) out.write(`farm        ${redisLabel(o.redis)} (runs go to \`turnout worker\` processes)\n`);
  if (server.interrupted) out.write(`${server.interrupted} run(s) were cut short when the server last stopped: shown as interrupted\n`);
  if (o.demo) {
    site = await startDemoSite(o.demoPort, { smtpPort: server.smtpPort, faults });
    server.store.saveScenario(DEMO_SCENARIO_ID, await loadScenario(DEMO_SCENARIO));
    out.write(`demo site   ${site.url}/\n\n`);
    const run = server.manager.start({ scenario: DEMO_SCENARIO_ID, users: o.demoUsers, iterations: 1, rampUp: 0, baseUrl: site.url });
    out.write(`demo run of ${o.demoUsers} people: watch it at ${server.url}/#/runs/${run.id}\n`);
    server.manager.on('finished', (finished) => {
      if (finished.id !== run.id) return;
      const summary = server.manager.summary(run.id);
      if (summary) printReport(summary, out);
      out.write(`\nDashboard: ${server.url}/ — start more runs there. Ctrl-C to stop.\n`);
    });
  }
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  out.write('\nstopping: closing runs and browsers…\n');
  await server.close();
  await site?.close();
  return 0;
}
