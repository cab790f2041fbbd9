// `turnout` as a nightly job runs it: a real process, its output and its exit code.
import { spawn } from 'node:child_process';
import { startDemoSite, type DemoSite, type DemoSiteOptions } from '../../scenarios/demo-site/site.js';
import { freePort } from './servers.js';

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function turnout(args: string[], options: { env?: NodeJS.ProcessEnv; interruptAfterMs?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/turnout.js', ...args], { env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    if (options.interruptAfterMs) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A demo site mailing to a fresh port, where the CLI run will start its own sink. */
export async function demoForCli(options: Omit<DemoSiteOptions, 'smtpPort'> = {}): Promise<{ site: DemoSite; smtpPort: number }> {
  const smtpPort = await freePort();
  return { site: await startDemoSite(0, { ...options, smtpPort }), smtpPort };
}
