// The farm beyond one machine, with real parts: Debian's redis-server on loopback, `turnout
// worker` processes with their own Chromium, the demo site mailing one sink, and a coordinator
// that must end every run with every person accounted for exactly once.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, RunSummary } from '../../schema/index.js';
import { startDemoSite } from '../../scenarios/demo-site/site.js';
import { replayOnFarm } from '../../server/src/farm/coordinator.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { demoForCli, turnout } from '../helpers/cli.js';
import { startRedis, startWorker, type TestRedis, type WorkerProcess } from '../helpers/redis.js';
import { chromiumAfterExit, chromiumProcesses } from '../helpers/servers.js';

const SCENARIO = 'scenarios/demo-enrollment.json';
const scenario = parseScenario(JSON.parse(readFileSync(SCENARIO, 'utf8')));
const FAULTS = { 'email-never-sent': 10, 'broken-link': 10, 'identity-hangs': 10, 'submit-500': 10 };
const stepNamed = (name: string): number => scenario.steps.findIndex((s) => s.name === name);
/** The step each fault stops a person at. */
const FAULT_STEP: Record<string, number> = {
  'email-never-sent': stepNamed('confirm-email'),
  'broken-link': stepNamed('open-confirmation'),
  'identity-hangs': stepNamed('identity-check'),
  'submit-500': stepNamed('submit'),
};

/** What must not differ between a run here and on the farm: the funnel, the counts, the shape. */
function funnel(summary: RunSummary) {
  return summary.steps.map(({ index, reached, passed, failed, failures }) => ({ index, reached, passed, failed, failures }));
}

describe('the farm on Redis with two worker processes', () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  const chromiumBefore = chromiumProcesses();
  const dir = mkdtempSync(join(tmpdir(), 'turnout-farm-'));

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it('replays 10 people over both workers into the same summary as a run on this machine', async () => {
    workers = await Promise.all([0, 1].map(() => startWorker(redis.url, ['--concurrency', '4', '--browsers', '1'])));
    const run = async (name: string, extra: string[]): Promise<{ code: number | null; summary: RunSummary; stderr: string; wrong: string[] }> => {
      const { site, smtpPort } = await demoForCli({ faults: FAULTS });
      try {
        const file = join(dir, `${name}.json`);
        // Steps keep their own waits (a 5 s default would fail a slow but healthy step on 2 busy
        // cores); the mail that never comes is given up on after 5 s.
        const args = [SCENARIO, '-u', '10', '--base-url', site.url, '--smtp-port', String(smtpPort), '--email-timeout', '5', '--data', join(dir, name), '--artifacts', join(dir, `${name}-artifacts`), '--summary-json', file, ...extra];
        const outcome = await turnout(['replay', ...args]);
        const summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
        // Person by person against the site's own record: a person dealt no fault passes, one
        // dealt a fault fails; anything else is named with what Turnout said about them.
        const truth = site.truth().people;
        const wrong = summary.results.flatMap((r) => {
          const fault = truth.find((t) => t.email === r.email)?.fault ?? 'never reached the site';
          const right = fault === 'none' ? r.status === 'passed' : r.failedStep === FAULT_STEP[fault];
          return right ? [] : [`person ${r.user} (${fault}): ${r.status} at step ${r.failedStep} as ${r.errorClass} — ${r.error}`];
        });
        return { code: outcome.code, summary, stderr: outcome.stderr, wrong };
      } finally {
        await site.close();
      }
    };
    const local = await run('local', ['--concurrency', '8']);
    const farm = await run('farm', ['--redis', redis.url]);

    expect(farm.code, farm.stderr).toBe(local.code);
    expect(farm.code).toBe(1); // the faults fail people: a nightly job sees a failed run either way
    expect(local.wrong).toEqual([]);
    expect(farm.wrong).toEqual([]);
    expect(farm.summary.users).toEqual(local.summary.users);
    expect(farm.summary.users).toEqual({ total: 10, passed: 6, failed: 4, infrastructure: 0 });
    expect(funnel(farm.summary)).toEqual(funnel(local.summary));
    expect(Object.keys(farm.summary).sort()).toEqual(Object.keys(local.summary).sort());
    // Both files are the one contract, to the key (plus the report's verdicts).
    for (const { thresholds: _t, comparison: _c, ...s } of [farm.summary, local.summary] as (RunSummary & Record<string, unknown>)[]) {
      expect(RunSummary.strict().safeParse(s).error).toBeUndefined();
    }
    expect(Object.keys(farm.summary.results[0]!).sort()).toEqual(Object.keys(local.summary.results[0]!).sort());
    expect(farm.summary.results.map((r) => r.user)).toEqual(Array.from({ length: 10 }, (_, k) => k + 1));

    // Every person names the worker that ran them, and both workers took a share.
    const names = workers.map((w) => w.name);
    const byWorker = names.map((n) => farm.summary.results.filter((r) => r.worker === n).length);
    expect(byWorker.reduce((a, b) => a + b)).toBe(10);
    for (const n of byWorker) expect(n).toBeGreaterThan(0);
    expect(farm.summary.workers!.map((w) => w.worker).sort()).toEqual([...names].sort());
    for (const w of farm.summary.workers!) {
      expect(w.samples).toBeGreaterThan(0);
      expect(w.cpuMaxPct).toBeGreaterThan(0);
      expect(w.memoryTotalMb).toBeGreaterThan(0);
    }
    expect(farm.summary.options.concurrency).toBe(8);
    expect(local.summary.workers).toHaveLength(1); // a run here reports this machine's health too
    for (const r of local.summary.results) expect(r.worker).toBe(local.summary.workers![0]!.worker);
    // Failure screenshots travel back from the workers to the coordinator's artifacts.
    const withScreenshot = farm.summary.results.filter((r) => r.screenshot);
    expect(withScreenshot.length).toBeGreaterThan(0);
    for (const r of withScreenshot) expect(readFileSync(join(dir, 'farm-artifacts', r.screenshot!)).subarray(1, 4).toString()).toBe('PNG');
  }, 300_000);

  it('accounts for every person exactly once when a worker is killed mid-run', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    // A farm of its own (Redis database 1): the workers above checked for stalled people every 30 s,
    // and BullMQ keeps one check per queue at the cadence of whichever worker ran it last.
    const farm = `${redis.url}/1`;
    workers = await Promise.all([0, 1].map(() => startWorker(farm, ['--concurrency', '3', '--browsers', '1', '--lock-duration', '3'])));
    const [victim, survivor] = workers as [WorkerProcess, WorkerProcess];
    const sink = new MailSink({ port: 0 });
    await sink.start();
    const site = await startDemoSite(0, { smtpPort: sink.port });
    let finished = 0;
    let finishedAtKill = -1;
    try {
      const summary = await replayOnFarm(
        scenario,
        { users: 12, baseUrl: site.url, sink, redis: farm, artifactsDir: null },
        {
          onPersonFinished: () => {
            if (++finished === 4) {
              finishedAtKill = finished;
              victim.child.kill('SIGKILL');
            }
          },
        },
      );
      expect(finishedAtKill).toBe(4);
      expect(summary.results.map((r) => r.user)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
      expect(summary.users.total).toBe(12);
      // The killed worker's people were started again on the survivor.
      const warning = summary.warnings?.find((w) => w.includes('started again')) ?? '';
      expect(warning).toMatch(/^\d+ person\(s\) were started again, each as a new synthetic person, because their worker went silent/);
      const restarted = warning.split(': ').at(-1)!.split(', ').map(Number);
      expect(restarted.length).toBeGreaterThan(0);
      expect(summary.results.filter((r) => r.worker === survivor.name).length).toBeGreaterThanOrEqual(restarted.length);
      for (const r of summary.results) expect([victim.name, survivor.name]).toContain(r.worker);
      // The site has no faults: nobody is blamed on it. A person started again signs up as
      // someone new (the lost attempt may have signed up already, and the site would refuse the
      // same username twice), and the site's own record says they got through.
      const truth = site.truth().people;
      const wrong = summary.results.flatMap((r) => {
        const seen = truth.find((t) => t.email === r.email);
        if (r.status === 'passed' && seen?.reached === 'submitted' && seen.signedIn) return [];
        if (r.errorClass === 'infrastructure') return []; // lost a second time: the farm's
        return [`person ${r.user} (${r.email}): ${r.status} ${r.errorClass ?? ''} ${r.error ?? ''}; the site says ${JSON.stringify(seen ?? null)}`];
      });
      expect(wrong).toEqual([]);
      for (const user of restarted) expect(summary.results[user - 1]!.email).toContain(`.${user}r1.`);
    } finally {
      await site.close();
      await sink.stop();
    }
  }, 240_000);

  it('gives up on people as infrastructure when no worker is connected, and exits 4', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
    const { site, smtpPort } = await demoForCli();
    try {
      const file = join(dir, 'no-worker.json');
      const outcome = await turnout(['replay', SCENARIO, '-u', '2', '--base-url', site.url, '--smtp-port', String(smtpPort), '--redis', redis.url, '--worker-wait', '3', '--data', join(dir, 'nw'), '--summary-json', file]);
      expect(outcome.code, outcome.stderr).toBe(4);
      const summary = JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
      expect(summary.users).toEqual({ total: 2, passed: 0, failed: 2, infrastructure: 2 });
      expect(summary.results[0]!.error).toMatch(/no Turnout worker was connected to redis:\/\/127\.0\.0\.1:\d+ for 3 s/);
    } finally {
      await site.close();
    }
  }, 60_000);

  it('names a Redis it cannot reach, and a malformed address, without a stack trace', async () => {
    const bad = await turnout(['replay', SCENARIO, '--redis', 'http://127.0.0.1:6379']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('turnout: --redis http://127.0.0.1:6379: expected a redis:// or rediss:// address\n');
    const { freePort } = await import('../helpers/servers.js');
    const port = await freePort();
    // Nothing listens there: said at once, not after the 10 s a silent address is given.
    const asked = Date.now();
    const down = await turnout(['replay', SCENARIO, '--redis', `redis://:hunter2@127.0.0.1:${port}`, '--data', join(dir, 'down')]);
    expect(Date.now() - asked).toBeLessThan(8000);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(new RegExp(`^turnout: could not reach the farm's Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`, 'm'));
    expect(down.stderr).not.toContain('hunter2');
    expect(down.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('leaves no Chromium behind, even from the killed worker', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    expect(await chromiumAfterExit(chromiumBefore)).toBe(chromiumBefore);
  });
});
