// A real Redis for farm tests: Debian's redis-server on a free loopback port, nothing persisted,
// stopped after. `.ci/run` and `npm test`'s set-up install it (apt-get install redis-server).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './servers.js';

export interface TestRedis {
  url: string;
  stop: () => Promise<void>;
  /** Stops this Redis and starts a fresh one on the same port: whatever it held is gone. */
  restart: (downMs?: number) => Promise<void>;
}

async function serve(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() === 'PONG') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

async function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export async function startRedis(): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (npm test installs it when run as root)');
  }
  const port = await freePort();
  let child = await serve(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => halt(child),
    restart: async (downMs = 0) => {
      await halt(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await serve(port);
    },
  };
}

/** A `turnout worker` process, ready once it says it is taking people. */
export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startWorker(redisUrl: string, args: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['bin/turnout.js', 'worker', '--redis', redisUrl, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const name = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 30 s:\n${output}`)), 30_000);
    const look = (): void => {
      const m = /worker (\S+) taking people/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', look);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
  return {
    name,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
