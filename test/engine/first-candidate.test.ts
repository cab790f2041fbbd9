// People act on a step's first selector candidate without asking the page first, unless the last
// person found it stale: the element used and the candidate reported must still be the ones
// Chrome's order gives (the first candidate that matches), person by person.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';

let server: Server;
let url: string;
let sink: MailSink;
let served = 0;
/** Which button each visitor was shown, and which one they pressed: the page's own record. */
const pressed = new Map<number, string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    const done = /^\/done\?visitor=(\d+)&via=(\w+)$/.exec(req.url ?? '');
    if (done) {
      pressed.set(Number(done[1]), done[2]!);
      return void res.end('<title>Done</title><h1>Done</h1>');
    }
    // Odd visitors get the new markup (#go-new), even ones the old (#go-old); every fourth gets
    // the new markup only after a second, written by a script, as slow front ends do.
    const visitor = ++served;
    const id = visitor % 2 ? 'go-new' : 'go-old';
    const button = `<button id="${id}" onclick="location='/done?visitor=${visitor}&via=${id.slice(3)}'">Go</button>`;
    const late = visitor % 4 === 1 && visitor > 1;
    res.end(`<title>Start</title>${late ? `<script>setTimeout(() => document.body.insertAdjacentHTML('beforeend', ${JSON.stringify(button)}), 1000)</script>` : button}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink = new MailSink({ port: 0 });
  await sink.start();
});

afterAll(async () => {
  await sink?.stop();
  await new Promise((r) => server?.close(r));
});

describe('the first selector candidate', () => {
  it('is used at once while it matches, and searched past in order when it does not', async () => {
    const scenario = parseScenario({
      title: 'first candidate',
      steps: [
        { type: 'navigate', url: `${url}/` },
        { type: 'click', selectors: [['#go-new'], ['text/Go']], assertedEvents: [{ type: 'navigation', url: `${url}/done?visitor&via`, title: 'Done' }] },
        { type: 'waitForElement', selectors: [['text/Done']] },
      ],
    });
    const summary = await replay(scenario, { users: 6, concurrency: 1, baseUrl: url, sink, stepTimeoutMs: 5000, browsers: 1 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4, 5, 6].map((u) => [u, 'passed', null]));
    // Chrome's order: the new id where the page has it (visitor 5 only after a second), else the text.
    const matched = summary.results.map((r) => r.steps[1]!.matchedSelector);
    expect(matched).toEqual(['#go-new', 'text/Go', '#go-new', 'text/Go', '#go-new', 'text/Go']);
    expect([...pressed.entries()].sort(([a], [b]) => a - b)).toEqual([
      [1, 'new'], [2, 'old'], [3, 'new'], [4, 'old'], [5, 'new'], [6, 'old'],
    ]);
  });

  it('still names the step’s whole wait when no candidate ever matches', async () => {
    const scenario = parseScenario({
      title: 'nothing matches',
      steps: [
        { type: 'navigate', url: `${url}/` },
        { type: 'click', selectors: [['#gone'], ['text/Nowhere']] },
      ],
    });
    const person = (await replay(scenario, { users: 1, baseUrl: url, sink, stepTimeoutMs: 3000, browsers: 1 })).results[0]!;
    expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'selector-not-found' });
    expect(person.error).toBe('no element matched "#gone", "text/Nowhere" within 3000 ms');
  });
});
