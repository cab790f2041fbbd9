// `turnout serve`: the store, the SMTP sink, the run manager, the HTTP API with the dashboard,
// and socket.io, wired together and listening on loopback. `close()` stops runs first, so no
// browser outlives the server.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ReplayOptions } from '../engine/replay.js';
import { MailSink } from '../mail/sink.js';
import { attachRealtime } from '../realtime/io.js';
import { RunManager } from '../runs/manager.js';
import { RunStore } from '../runs/store.js';
import { createApp } from './app.js';

export interface ServeOptions {
  port: number;
  host?: string;
  smtpPort: number;
  dataDir: string;
  defaults?: Partial<ReplayOptions>;
}

export interface RunningServer {
  url: string;
  port: number;
  smtpPort: number;
  store: RunStore;
  manager: RunManager;
  sink: MailSink;
  /** Runs that were in progress when the previous server died. */
  interrupted: number;
  close: () => Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  const artifactsDir = join(dataDir, 'artifacts');
  const store = new RunStore(dataDir);
  const interrupted = store.markInterrupted();
  const sink = new MailSink({ port: options.smtpPort });
  await sink.start();
  const manager = new RunManager({ store, sink, artifactsDir, defaults: options.defaults });
  const http = createServer(createApp({ store, manager, sink, artifactsDir }));
  const io = attachRealtime(http, manager);
  http.listen(options.port, options.host ?? '127.0.0.1');
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    smtpPort: sink.port,
    store,
    manager,
    sink,
    interrupted,
    close: async () => {
      await manager.close();
      http.closeAllConnections();
      await io.close(); // closes the HTTP server too
      await sink.stop();
      store.close();
    },
  };
}
