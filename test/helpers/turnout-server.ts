// A real Turnout server in-process on random ports, with the demo site mailing to its sink and
// the demo scenario stored: what the HTTP, socket and dashboard tests start from.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, type RunInfo } from '../../schema/index.js';
import type { FaultPercentages } from '../../scenarios/demo-site/faults.js';
import { startDemoSite, type DemoSite } from '../../scenarios/demo-site/site.js';
import type { RunOptionsAnywhere } from '../../server/src/farm/dispatch.js';
import { startServer, type RunningServer, type ServeOptions } from '../../server/src/http/server.js';

export const DEMO_ID = 'demo';

export interface TestServer {
  server: RunningServer;
  site: DemoSite;
  dataDir: string;
  /** JSON from the API; throws on a non-2xx answer with its body. */
  get: <T>(path: string) => Promise<T>;
  post: <T>(path: string, body: unknown) => Promise<{ status: number; body: T }>;
  waitForRun: (id: string, timeoutMs?: number) => Promise<RunInfo>;
  close: () => Promise<void>;
}

export async function startTestServer(
  faults: Partial<FaultPercentages> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'turnout-data-')),
  defaults: Partial<RunOptionsAnywhere> = {},
  more: Partial<ServeOptions> = {},
): Promise<TestServer> {
  const server = await startServer({ port: 0, smtpPort: 0, dataDir, defaults: { browsers: 1, ...defaults }, ...more });
  const site = await startDemoSite(0, { smtpPort: server.smtpPort, faults });
  server.store.saveScenario(DEMO_ID, parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8'))));
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(server.url + path);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const post = async <T>(path: string, body: unknown) => {
    const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };
  const waitForRun = async (id: string, timeoutMs = 120_000): Promise<RunInfo> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = (await get<RunInfo[]>('/api/runs')).find((r) => r.id === id);
      if (run && run.status !== 'running') return run;
      if (Date.now() > deadline) throw new Error(`run ${id} still running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return {
    server,
    site,
    dataDir,
    get,
    post,
    waitForRun,
    close: async () => {
      await server.close();
      await site.close();
    },
  };
}
