// Run history that a nightly farm keeps for months: older runs go, with their people, steps,
// screenshots and traces; a run still going is never touched; the server applies it on its own.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { parseScenario, personResult, type RunOptions, type RunStatus } from '../../schema/index.js';
import { screenshotFile } from '../../server/src/engine/artifacts.js';
import { startServer } from '../../server/src/http/server.js';
import { RunStore } from '../../server/src/runs/store.js';

const scenario = parseScenario({ title: 'kept or not', steps: [{ type: 'navigate', url: 'http://127.0.0.1:1/' }] });
const options: RunOptions = { users: 1, concurrency: 1, rampUpMs: 0, iterations: 1, stepTimeoutMs: 1000, personDeadlineMs: 1000, baseUrl: null, mailDomain: 'x.test', seed: 's', browsers: 1, browser: 'headless-shell' };
const DAY = 86_400_000;

/** A stored run started `daysAgo` days ago, with one failed person, their screenshot and trace on disk. */
function storeRun(store: RunStore, artifacts: string, id: string, daysAgo: number, status: RunStatus = 'finished'): void {
  const startedAt = new Date(Date.now() - daysAgo * DAY).toISOString();
  store.createRun({ id, scenarioId: null, scenario: scenario.title, status: 'running', startedAt, finishedAt: null, planned: 1, options, note: null }, scenario);
  const shot = screenshotFile(id, 1, 0);
  store.recordPerson(id, personResult(1, `p.1.${id}@x.test`, startedAt, null, { status: 'failed', failedStep: 0, errorClass: 'http-error', error: 'GET / answered 500', screenshot: shot }));
  store.flush();
  if (status !== 'running') store.finishRun(id, status, options);
  mkdirSync(join(artifacts, 'screenshots'), { recursive: true });
  mkdirSync(join(artifacts, 'traces'), { recursive: true });
  writeFileSync(join(artifacts, shot), 'png');
  writeFileSync(join(artifacts, 'traces', `${id}-person-1.zip`), 'zip');
}

const filesOf = (artifacts: string): string[] => ['screenshots', 'traces'].flatMap((d) => readdirSync(join(artifacts, d)).map((f) => `${d}/${f}`)).sort();
const expectedFiles = (ids: string[]): string[] => ids.flatMap((id) => [screenshotFile(id, 1, 0), `traces/${id}-person-1.zip`]).sort();

describe('retention', () => {
  it('keeps the newest N finished runs and exactly their screenshots and traces; a running run is never removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnout-retain-'));
    const artifacts = join(dir, 'artifacts');
    const store = new RunStore(dir);
    // Night k ran k days ago; the oldest of all is still going (a run that hangs for weeks).
    const nights = Array.from({ length: 12 }, (_, k) => `night-${String(k).padStart(2, '0')}`);
    nights.forEach((id, k) => storeRun(store, artifacts, id, k));
    storeRun(store, artifacts, 'still-going', 30, 'running');

    const removed = store.prune({ runs: 10, days: null }, artifacts);
    expect(removed.sort()).toEqual(['night-10', 'night-11']);
    const kept = [...nights.slice(0, 10), 'still-going'];
    expect(store.listRunInfos().map((r) => r.id).sort()).toEqual(kept.sort());
    expect(store.people('night-11')).toEqual([]);
    expect(store.people('night-00')).toHaveLength(1);
    expect(filesOf(artifacts)).toEqual(expectedFiles(kept));

    // By age: older than 5 days goes, the running run still stays.
    expect(store.prune({ runs: null, days: 5 }, artifacts).sort()).toEqual(['night-05', 'night-06', 'night-07', 'night-08', 'night-09']);
    expect(filesOf(artifacts)).toEqual(expectedFiles([...nights.slice(0, 5), 'still-going']));
    expect(store.prune({ runs: null, days: null }, artifacts)).toEqual([]);
    store.close();
  });

  it('is applied by the server when it starts, with /api/health saying what is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnout-retain-serve-'));
    const artifacts = join(dir, 'artifacts');
    const seeded = new RunStore(dir);
    const nights = Array.from({ length: 12 }, (_, k) => `night-${String(k).padStart(2, '0')}`);
    nights.forEach((id, k) => storeRun(seeded, artifacts, id, k));
    seeded.close();

    const server = await startServer({ port: 0, smtpPort: 0, dataDir: dir, retention: { runs: 10, days: 90 } });
    try {
      const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { id: string }[];
      expect(runs.map((r) => r.id).sort()).toEqual(nights.slice(0, 10));
      expect(filesOf(artifacts)).toEqual(expectedFiles(nights.slice(0, 10)));
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as { retention: unknown };
      expect(health.retention).toEqual({ runs: 10, days: 90 });
    } finally {
      await server.close();
    }
  });

  it("drops a run's mail with the run: after another run ends, the oldest run's inbox is gone and the kept runs' stays", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnout-retain-mail-'));
    const artifacts = join(dir, 'artifacts');
    const seeded = new RunStore(dir);
    const nights = Array.from({ length: 3 }, (_, k) => `night-${String(k).padStart(2, '0')}`);
    nights.forEach((id, k) => storeRun(seeded, artifacts, id, k + 1));
    seeded.close();

    const server = await startServer({ port: 0, smtpPort: 0, dataDir: dir, retention: { runs: 3, days: null } });
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: server.smtpPort, secure: false, ignoreTLS: true });
    try {
      // The target mails the people of the oldest and the newest kept run, over real SMTP.
      for (const id of ['night-02', 'night-00']) await mailer.sendMail({ from: 'site@x.test', to: `p.1.${id}@x.test`, subject: `Confirm ${id}`, text: `https://x.test/confirm?run=${id}` });
      const inbox = async (id: string): Promise<string[]> => ((await (await fetch(`${server.url}/api/runs/${id}/inbox`)).json()) as { subject: string }[]).map((m) => m.subject);
      expect(await inbox('night-02')).toEqual(['Confirm night-02']);
      expect(server.sink.stored).toBe(2);

      // Tonight's run ends (streamed, as `turnout replay --server` does): three are kept, so night-02 goes, mail and all.
      server.manager.startExternal('tonight', scenario, 1, options);
      server.manager.finishExternal('tonight', 'finished', options);
      const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { id: string }[];
      expect(runs.map((r) => r.id).sort()).toEqual(['night-00', 'night-01', 'tonight']);
      expect(server.sink.messages('p.1.night-02@x.test')).toEqual([]);
      expect(await inbox('night-00')).toEqual(['Confirm night-00']);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^turnout_mail_kept_messages 1$/m);
    } finally {
      mailer.close();
      await server.close();
    }
  });
});
