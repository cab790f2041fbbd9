// A rare hang is still a hang: a Chromium killed with SIGKILL at every kind of moment (while it
// launches, mid-step, between people, while a person's context closes, at a random time), many
// times over. Every run must end, account for every person once, blame nobody on the site (a
// person either passes or is the farm's loss, `infrastructure`), and leave no Chromium behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type RunSummary } from '../../schema/index.js';
import { replay, type ReplayHooks } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { chromiumAfterExit, chromiumProcesses, ownBrowserPids, serveFixtures, type Served } from '../helpers/servers.js';

let site: Served;
let sink: MailSink;
const before = chromiumProcesses();

beforeAll(async () => {
  site = await serveFixtures((app) => {
    app.get('/start', (_req, res) => void res.send('<title>Start</title><a href="/form">Begin</a>'));
    // The form answers a little late, as a busy site does: kills land mid-step too.
    app.get('/form', (_req, res) => void setTimeout(() => res.send('<title>Form</title><form method="post" action="/done"><label>Name <input name="name"></label><button>Send</button></form>'), 300));
    app.post('/done', (_req, res) => void res.send('<title>Done</title><h1>Done</h1>'));
  });
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

const scenario = () =>
  parseScenario({
    title: 'short flow',
    steps: [
      { type: 'navigate', url: `${site.url}/start`, assertedEvents: [{ type: 'navigation', url: `${site.url}/start`, title: 'Start' }] },
      { type: 'click', selectors: [['aria/Begin[role="link"]'], ['a']], assertedEvents: [{ type: 'navigation', url: `${site.url}/form`, title: 'Form' }] },
      { type: 'change', selectors: [['aria/Name[role="textbox"]'], ['input']], value: '{{user.firstName}}' },
      { type: 'click', selectors: [['aria/Send[role="button"]'], ['button']], assertedEvents: [{ type: 'navigation', url: `${site.url}/done`, title: 'Done' }] },
      { type: 'waitForElement', selectors: [['aria/Done[role="heading"]'], ['h1']] },
    ],
  });

function killOne(): boolean {
  const [victim] = ownBrowserPids();
  if (!victim) return false;
  try {
    process.kill(victim, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

const USERS = 4;
/** Longest a run of 4 people over this short flow may take, kill included: past it, it hung. */
const HUNG_AFTER_MS = 45_000;

/** One run with a kill at the moment `arm` chooses; the run must end and account for everyone. */
async function runWithKill(arm: (kill: () => void) => ReplayHooks & { watch?: () => () => void }): Promise<{ summary: RunSummary; killed: boolean }> {
  let killed = false;
  const kill = (): void => void (killed ||= killOne());
  const hooks = arm(kill);
  const unwatch = hooks.watch?.();
  let timer: NodeJS.Timeout | undefined;
  try {
    const summary = await Promise.race([
      replay(scenario(), { users: USERS, concurrency: 2, browsers: 2, baseUrl: site.url, sink, stepTimeoutMs: 10_000, artifactsDir: null }, hooks),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the run did not end within ${HUNG_AFTER_MS / 1000} s`)), HUNG_AFTER_MS))),
    ]);
    return { summary, killed };
  } finally {
    clearTimeout(timer);
    unwatch?.();
  }
}

function expectAccounted(summary: RunSummary, moment: string): void {
  expect(summary.results.map((r) => r.user), moment).toEqual([1, 2, 3, 4]);
  for (const r of summary.results) {
    // Nobody is blamed on the site: a person passes or is the farm's loss, said so.
    const verdict = r.status === 'passed' ? 'passed' : r.errorClass === 'infrastructure' ? 'infrastructure' : `${r.errorClass} at step ${r.failedStep}: ${r.error}`;
    expect(['passed', 'infrastructure'], `${moment}, person ${r.user}`).toContain(verdict);
  }
}

/** Where in a run the browser is killed; each is tried several times. */
const MOMENTS: [string, (kill: () => void) => ReplayHooks & { watch?: () => () => void }][] = [
  [
    'while it launches',
    (kill) => ({
      // Look for the browser process from the moment the run is asked for, every 5 ms.
      watch: () => {
        const timer = setInterval(kill, 5);
        return () => clearInterval(timer);
      },
      onStarted: () => kill(),
    }),
  ],
  ['mid-step', (kill) => ({ beforeEachStep: (user, step) => void (user === 2 && step === 2 && setTimeout(kill, 100)) })],
  ['between people', (kill) => ({ onPersonFinished: (r) => void (r.user === 1 && kill()) })],
  ['while a context closes', (kill) => ({ afterEachStep: (user, step) => void (user === 1 && step.index === 4 && kill()) })],
  [
    'at a random moment',
    (kill) => ({
      watch: () => {
        const timer = setTimeout(kill, 200 + Math.random() * 2500);
        return () => clearTimeout(timer);
      },
    }),
  ],
];
const TIMES = 4;

describe('a Chromium killed at any moment, again and again', () => {
  for (const [moment, arm] of MOMENTS) {
    it(`${moment}: the run ends, every person is accounted for, nobody is blamed on the site (${TIMES} times)`, async () => {
      let kills = 0;
      for (let i = 0; i < TIMES; i++) {
        const { summary, killed } = await runWithKill(arm);
        if (killed) kills++;
        expectAccounted(summary, `${moment}, run ${i + 1}`);
        // Whoever the kill did not touch is unaffected: a run with a kill still gets people through.
        if (moment !== 'while it launches') expect(summary.users.passed, `${moment}, run ${i + 1}`).toBeGreaterThan(0);
      }
      expect(kills, 'kills that hit a live browser').toBeGreaterThanOrEqual(TIMES - 1);
    }, TIMES * (HUNG_AFTER_MS + 5000));
  }

  it('leaves no Chromium behind', async () => {
    expect(await chromiumAfterExit(before)).toBe(before);
  });
});
