// `turnout` as a nightly job runs it: a real process, its output and its exit code.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startDemoSite, type DemoSite, type DemoSiteOptions } from '../../scenarios/demo-site/site.js';
import { freePort, ownChromium, parentOf } from './servers.js';

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `turnout …` to its end. `interruptWhileBrowsingMs`: press Ctrl-C (SIGINT) that long after the
 * run's first Chromium came up, as someone watching it would; a machine busy with other tests
 * takes longer to get there.
 */
export function turnout(args: string[], options: { env?: NodeJS.ProcessEnv; interruptWhileBrowsingMs?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/turnout.js', ...args], { env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const browsing = options.interruptWhileBrowsingMs;
    if (browsing !== undefined) void untilBrowsing(child.pid!).then(() => setTimeout(() => child.kill('SIGINT'), browsing), () => child.kill('SIGINT'));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once a Chromium started by process `pid` runs (it fails after 60 s without one). */
export async function untilBrowsing(pid: number): Promise<number[]> {
  for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const browsers = ownChromium().filter((p) => parentOf(p.pid) === pid).map((p) => p.pid);
    if (browsers.length > 0) return browsers;
  }
  throw new Error(`no Chromium started by process ${pid} within 60 s`);
}

/** A demo site mailing to a fresh port, where the CLI run will start its own sink. */
export async function demoForCli(options: Omit<DemoSiteOptions, 'smtpPort'> = {}): Promise<{ site: DemoSite; smtpPort: number }> {
  const smtpPort = await freePort();
  return { site: await startDemoSite(0, { ...options, smtpPort }), smtpPort };
}

type RecordedStep = { name?: string; value?: string; timeout?: number };

/**
 * The demo's recording as JSON, with the named steps' waits shortened: where a fault makes people
 * wait them out (the identity check that never answers), the same verdicts come sooner.
 */
export function demoRecording(waits: Record<string, number> = {}): { steps: RecordedStep[] } {
  const recording = JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')) as { steps: RecordedStep[] };
  for (const step of recording.steps) if (step.name && waits[step.name]) step.timeout = waits[step.name];
  return recording;
}
