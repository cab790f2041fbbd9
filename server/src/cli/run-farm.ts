// `turnout worker` and `turnout sink`: the processes of a farm beyond one machine. Both run until
// SIGINT or SIGTERM; a worker then finishes the people it has (no one is cut off) and exits.
import { once } from 'node:events';
import type { BrowserKind } from '../engine/chromium.js';
import { relayMail } from '../farm/mail.js';
import { connectRedis, redisLabel } from '../farm/redis.js';
import { FarmWorker } from '../farm/worker.js';
import { MailSink } from '../mail/sink.js';

export interface WorkerCommandOptions {
  redis: string;
  concurrency?: number;
  browsers?: number;
  browser: BrowserKind;
  browserEndpoint?: string[];
  lockDuration?: number;
  fixtures?: string;
}

const say = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);

function untilSignal(): Promise<NodeJS.Signals> {
  return Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]).then(([s]) => s as NodeJS.Signals);
}

export async function runWorkerCommand(o: WorkerCommandOptions): Promise<number> {
  const worker = new FarmWorker({
    redis: o.redis,
    concurrency: o.concurrency,
    browsers: o.browsers,
    prefer: o.browser,
    browserEndpoints: o.browserEndpoint,
    lockDurationMs: o.lockDuration,
    fixturesDir: o.fixtures,
    log: say,
  });
  const signal = untilSignal();
  try {
    await worker.start();
    say(`worker ${worker.name} taking people from ${redisLabel(o.redis)} (${worker.concurrency} at once)`);
    say(`stopping on ${await signal}: finishing the people in progress…`);
  } finally {
    await worker.close();
  }
  say(`worker ${worker.name} stopped`);
  return 0;
}

export interface SinkCommandOptions {
  redis: string;
  smtpPort: number;
  host: string;
}

export async function runSinkCommand(o: SinkCommandOptions): Promise<number> {
  const sink = new MailSink({ port: o.smtpPort, host: o.host });
  const redis = connectRedis(o.redis, 'turnout-sink', (e) => say(`redis ${redisLabel(o.redis)}: ${e.message}`));
  const stop = relayMail(sink, redis, (e) => say(`could not relay a message: ${e.message}`));
  try {
    await sink.start();
    say(`SMTP sink on ${o.host}:${sink.port}, relaying mail to the farm on ${redisLabel(o.redis)}`);
    await untilSignal();
  } finally {
    stop();
    await sink.stop();
    redis.disconnect();
  }
  say(`sink stopped after ${sink.received} message(s)`);
  return 0;
}
