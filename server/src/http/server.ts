// `turnout serve`: the store, the SMTP sink, the run manager, the HTTP API with the dashboard,
// and socket.io, wired together and listening on loopback. `close()` stops runs first, so no
// browser outlives the server.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { ReplayInputError } from '../engine/errors.js';
import { runScenario, type RunOptionsAnywhere } from '../farm/dispatch.js';
import { MailSink } from '../mail/sink.js';
import { attachRealtime } from '../realtime/io.js';
import { RunManager } from '../runs/manager.js';
import { RunStore } from '../runs/store.js';
import { Scheduler } from '../runs/scheduler.js';
import { createApp } from './app.js';
import { RETENTION_INTERVAL_MS, type Retention } from '../runs/retention.js';

export interface ServeOptions {
  port: number;
  host?: string;
  smtpPort: number;
  dataDir: string;
  /** Engine options every run gets; with `redis`, runs go to the farm. */
  defaults?: Partial<RunOptionsAnywhere>;
  /** Required when listening beyond loopback; guards the API, metrics, artifacts and socket.io. */
  token?: string | null;
  bodyLimit?: string;
  maxSteps?: number;
  maxUsers?: number;
  /** Run history kept; applied at start and every RETENTION_INTERVAL_MS. Default: keep all. */
  retention?: Retention;
  /** The dashboard's address as alert receivers should reach it (default: where it listens). */
  publicUrl?: string;
  /** Alert retries and timeout (tests make them short). */
  alertDelivery?: { retries?: number; minTimeoutMs?: number; timeoutMs?: number };
  /** How long results stay in memory only after the database refused a write (tests make it short). */
  storeRetryMs?: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export interface RunningServer {
  url: string;
  port: number;
  smtpPort: number;
  store: RunStore;
  manager: RunManager;
  scheduler: Scheduler;
  sink: MailSink;
  /** Runs that were in progress when the previous server died. */
  interrupted: number;
  close: () => Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host) && !options.token) {
    throw new ReplayInputError(`refusing to listen on ${host} without a token: anyone who can reach it could start runs. Pass --token (or TURNOUT_TOKEN), or stay on 127.0.0.1`);
  }
  const dataDir = resolve(options.dataDir);
  const artifactsDir = join(dataDir, 'artifacts');
  const store = new RunStore(dataDir, { writeRetryMs: options.storeRetryMs });
  const interrupted = store.markInterrupted();
  const retention: Retention = options.retention ?? { runs: null, days: null };
  const sink = new MailSink({ port: options.smtpPort });
  // The mail of a run's people goes with the run: a server up for months keeps what it shows.
  // A database refusing writes must not take the server down: the sweep tries again later.
  const prune = (): void => {
    try {
      store.prune(retention, artifactsDir, (addresses) => sink.forget(addresses));
    } catch (e) {
      console.error(`turnout server: could not remove runs past retention from ${dataDir}: ${(e as Error).message}; trying again after the next run`);
    }
  };
  await sink.start();
  prune();
  const pruning = setInterval(prune, RETENTION_INTERVAL_MS).unref();
  const manager = new RunManager({ run: runScenario, store, sink, artifactsDir, defaults: options.defaults, maxUsers: options.maxUsers });
  // Each ended run may push the oldest kept one out: history stays within its bound between sweeps.
  manager.on('finished', prune);
  let url = '';
  const scheduler = new Scheduler({ manager, store, publicUrl: () => options.publicUrl ?? url, delivery: { env: options.defaults?.env ?? process.env, ...options.alertDelivery } });
  scheduler.start();
  const http = createServer(createApp({ store, manager, sink, artifactsDir, retention, scheduler, token: options.token, bodyLimit: options.bodyLimit, maxSteps: options.maxSteps }));
  const io = attachRealtime(http, manager, options.token ?? null);
  http.listen(options.port, host);
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    smtpPort: sink.port,
    store,
    manager,
    scheduler,
    sink,
    interrupted,
    close: async () => {
      clearInterval(pruning);
      await scheduler.close();
      await manager.close();
      http.closeAllConnections();
      await io.close(); // closes the HTTP server too
      await sink.stop();
      store.close();
    },
  };
}
