// People set a `change` step's value, click a button, and wait for an element on the first
// selector candidate without asking the page first, unless the last person found it stale: the
// element used and the candidate reported must still be the ones Chrome's order gives (the first
// candidate that matches), person by person, and a click is never sent twice, even when the page
// takes longer to take it or to answer than the first candidate is given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { firstCandidateWait, firstRole, tookLast } from '../../server/src/engine/first-candidate.js';
import { replay } from '../../server/src/engine/replay.js';
import type { MailSink } from '../../server/src/mail/sink.js';
import { serveHandler, startedSink, type Served } from '../helpers/servers.js';

let site: Served;
let url: string;
let sink: MailSink;
let served = 0;
/** Which field each visitor filled in: the page's own record. */
const pressed = new Map<number, string>();
/** Which button each visitor of /pick pressed, and how many times each visitor of /slow sent its form. */
const picked = new Map<number, string[]>();
const posts = new Map<number, number>();
let pickVisitors = 0;
/** How many times each visitor of /flip pressed its switch (the site's record), and presses on /busy. */
const flipped = new Map<number, number>();
let flipVisitors = 0;
let busyPresses = 0;
let slowVisitors = 0;
/** Which field each visitor of /code typed into (the page's own record), and how many came. */
const coded = new Map<number, string>();
let codeVisitors = 0;
/** Forms sent to /hang, which never answers, and the answers kept open. */
let hangPosts = 0;
const hanging = new Set<import('node:http').ServerResponse>();

/** The body of a POST, as form fields. */
const formOf = (req: import('node:http').IncomingMessage): Promise<URLSearchParams> =>
  new Promise((r) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => r(new URLSearchParams(body)));
  });

beforeAll(async () => {
  site = await serveHandler((req, res) => {
    res.setHeader('content-type', 'text/html');
    const asked = new URL(req.url ?? '/', 'http://x');
    if (asked.pathname === '/pick') {
      // Odd visitors see the new button (#go-new), even ones the old: both send the form.
      const visitor = ++pickVisitors;
      const kind = visitor % 2 ? 'new' : 'old';
      return void res.end(`<title>Pick</title><form method="post" action="/picked"><input type="hidden" name="visitor" value="${visitor}"><button id="go-${kind}" name="button" value="${kind}">Go</button></form>`);
    }
    if (asked.pathname === '/picked') {
      return void formOf(req).then((f) => {
        const visitor = Number(f.get('visitor'));
        picked.set(visitor, [...(picked.get(visitor) ?? []), f.get('button') ?? '?']);
        res.end('<title>Picked</title><h1>Picked</h1>');
      });
    }
    if (asked.pathname === '/code') {
      // The field named "Code" is a plain text field (role textbox) for visitors 1, 2, 4 and 5,
      // a search field (role searchbox) for visitors 3 and 6; "Other" is a second field.
      const visitor = ++codeVisitors;
      const type = visitor % 3 ? 'text' : 'search';
      return void res.end(`<title>Code</title><form action="/coded"><input type="hidden" name="visitor" value="${visitor}"><label>Code <input type="${type}" name="code"></label><label>Other <input name="other"></label><button>Send</button></form>`);
    }
    if (asked.pathname === '/coded') {
      const typed = ['code', 'other'].filter((k) => asked.searchParams.get(k) === 'typed').join('+');
      coded.set(Number(asked.searchParams.get('visitor')), typed);
      return void res.end('<title>Coded</title><h1>Coded</h1>');
    }
    if (asked.pathname === '/slow') {
      const visitor = ++slowVisitors;
      return void res.end(`<title>Slow</title><form method="post" action="/slow-done"><input type="hidden" name="visitor" value="${visitor}"><button id="send">Send</button></form>`);
    }
    if (asked.pathname === '/slow-done') {
      // The answer takes longer than a first candidate is given (2 s): the click must not be sent again.
      return void formOf(req).then((f) => {
        const visitor = Number(f.get('visitor'));
        posts.set(visitor, (posts.get(visitor) ?? 0) + 1);
        setTimeout(() => res.end('<title>Received</title><h1>Received</h1>'), 3000);
      });
    }
    if (asked.pathname === '/late-button') {
      // The button is enabled only after the first candidate's time (2 s); the form it sends is never answered.
      return void res.end(`<title>Late</title><form method="post" action="/hang"><button id="send" disabled>Send</button></form><script>setTimeout(() => (document.querySelector('#send').disabled = false), 2500)</script>`);
    }
    if (asked.pathname === '/flip') {
      // Odd visitors see the new switch and status (#flip-new, #status-new), even ones the old;
      // a press tells the site (its own record) and shows the status, at the same address.
      const visitor = ++flipVisitors;
      const kind = visitor % 2 ? 'new' : 'old';
      const status = kind === 'new' ? `<p id="status-new" hidden>Flipped</p>` : `<p class="status-old" hidden>Flipped</p>`;
      return void res.end(`<title>Flip</title><button id="flip-${kind}">Flip</button>${status}<script>document.querySelector('button').onclick = () => fetch('/flipped?visitor=${visitor}').then(() => (document.querySelector('p').hidden = false))</script>`);
    }
    if (asked.pathname === '/flipped') {
      const visitor = Number(asked.searchParams.get('visitor'));
      flipped.set(visitor, (flipped.get(visitor) ?? 0) + 1);
      return void res.end('ok');
    }
    if (asked.pathname === '/busy') {
      // The click's own handler keeps the page busy (a heavy check in the page's script) for
      // longer than a first candidate is given, then says it is done; the site counts presses.
      const ms = Number(asked.searchParams.get('ms'));
      return void res.end(`<title>Busy</title><button id="check">Check</button><p id="checked" hidden>Checked</p><script>document.querySelector('button').onclick = () => { fetch('/pressed'); const end = Date.now() + ${ms}; while (Date.now() < end); document.querySelector('#checked').hidden = false; }</script>`);
    }
    if (asked.pathname === '/pressed') {
      busyPresses++;
      return void res.end('ok');
    }
    if (asked.pathname === '/plain') {
      return void res.end('<title>Plain</title><p>Nothing to fill in here</p>');
    }
    if (asked.pathname === '/hang') {
      hangPosts++;
      hanging.add(res);
      return;
    }
    if (asked.pathname === '/done') {
      const filled = ['new', 'old'].filter((k) => asked.searchParams.get(k) === 'typed').join('+');
      pressed.set(Number(asked.searchParams.get('visitor')), filled);
      return void res.end('<title>Done</title><h1>Done</h1>');
    }
    // Odd visitors get the new markup (#name-new), even ones the old (#name-old); every fourth
    // gets the new markup only after a second, written by a script, as slow front ends do.
    const visitor = ++served;
    const kind = visitor % 2 ? 'new' : 'old';
    const field = `<label>Name <input id="name-${kind}" name="${kind}"></label>`;
    const late = visitor % 4 === 1 && visitor > 1;
    res.end(`<title>Start</title><form action="/done"><input type="hidden" name="visitor" value="${visitor}">${late ? '' : field}<button>Send</button></form>${late ? `<script>setTimeout(() => document.querySelector('form').insertAdjacentHTML('afterbegin', ${JSON.stringify(field)}), 1000)</script>` : ''}`);
  });
  url = site.url;
  sink = await startedSink();
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await sink?.stop();
  await site?.close();
});

// The cases run at once, as the people of different runs share a farm: each keeps to its own pages
// and counters, and most of their time is a page's deliberate wait, not work.
describe.concurrent('the first selector candidate', () => {
  it('is used at once while it matches, and searched past in order when it does not', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'first candidate',
      steps: [
        { type: 'navigate', url: `${url}/` },
        { type: 'change', selectors: [['#name-new'], ['aria/Name']], value: 'typed' },
        { type: 'click', selectors: [['text/Send']] },
        { type: 'waitForElement', selectors: [['text/Done']] },
      ],
    });
    const summary = await replay(scenario, { users: 6, concurrency: 1, baseUrl: url, sink, stepTimeoutMs: 5000, browsers: 1 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4, 5, 6].map((u) => [u, 'passed', null]));
    // Chrome's order: the new id where the page has it (visitor 5 only after a second), else the label.
    const matched = summary.results.map((r) => r.steps[1]!.matchedSelector);
    expect(matched).toEqual(['#name-new', 'aria/Name', '#name-new', 'aria/Name', '#name-new', 'aria/Name']);
    expect([...pressed.entries()].sort(([a], [b]) => a - b)).toEqual([
      [1, 'new'], [2, 'old'], [3, 'new'], [4, 'old'], [5, 'new'], [6, 'old'],
    ]);
  });

  it('asks for an `aria/Name` candidate without a role under the role its element had, and under every role when that changes', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'a field without a recorded role',
      steps: [
        { type: 'navigate', url: `${url}/code` },
        { type: 'change', selectors: [['aria/Code'], ['[name=other]']], value: 'typed' },
        { type: 'click', selectors: [['text/Send']], assertedEvents: [{ type: 'navigation', url: `${url}/coded?visitor=1&code=typed&other=`, title: 'Coded' }] },
      ],
    });
    const summary = await replay(scenario, { users: 6, concurrency: 1, baseUrl: url, sink, stepTimeoutMs: 6000, browsers: 1 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4, 5, 6].map((u) => [u, 'passed', null]));
    // Chrome's order: the first candidate matches on every page, whatever the field's role.
    expect(summary.results.map((r) => r.steps[1]!.matchedSelector)).toEqual(Array(6).fill('aria/Code'));
    // The site's own record: every visitor typed into "Code", none into "Other".
    expect([...coded.entries()].sort(([a], [b]) => a - b)).toEqual([1, 2, 3, 4, 5, 6].map((v) => [v, 'code']));
    // Learnt from visitor 1 (textbox), so visitor 2 asked for that role alone; forgotten when
    // visitor 3's field was a searchbox, learnt again from visitor 4, and forgotten at visitor 6.
    expect(firstRole.get(scenario.steps[1]!)).toBeUndefined();
    const again = await replay(scenario, { users: 1, baseUrl: url, sink, stepTimeoutMs: 6000, browsers: 1 });
    expect([again.results[0]!.status, coded.get(7)]).toEqual(['passed', 'code']);
    expect(firstRole.get(scenario.steps[1]!)).toBe('textbox');
  });

  it('still names the step’s whole wait when no candidate ever matches', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'nothing matches',
      steps: [
        { type: 'navigate', url: `${url}/plain` },
        { type: 'change', selectors: [['#gone'], ['text/Nowhere']], value: 'x' },
      ],
    });
    const person = (await replay(scenario, { users: 1, baseUrl: url, sink, stepTimeoutMs: 3000, browsers: 1 })).results[0]!;
    expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'selector-not-found' });
    expect(person.error).toBe('no element matched "#gone", "text/Nowhere" within 3000 ms');
  });

  it('clicks the first candidate at once, the next one where the first is gone', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'pick a button',
      steps: [
        { type: 'navigate', url: `${url}/pick` },
        { type: 'click', selectors: [['#go-new'], ['#go-old']], assertedEvents: [{ type: 'navigation', url: `${url}/picked`, title: 'Picked' }] },
      ],
    });
    const summary = await replay(scenario, { users: 6, concurrency: 1, baseUrl: url, sink, stepTimeoutMs: 5000, browsers: 1 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4, 5, 6].map((u) => [u, 'passed', null]));
    expect(summary.results.map((r) => r.steps[1]!.matchedSelector)).toEqual(['#go-new', '#go-old', '#go-new', '#go-old', '#go-new', '#go-old']);
    // The page's own record: each visitor pressed the button they had, once.
    expect([...picked.entries()].sort(([a], [b]) => a - b)).toEqual([
      [1, ['new']], [2, ['old']], [3, ['new']], [4, ['old']], [5, ['new']], [6, ['old']],
    ]);
  });

  it('sends a click once when the page answers after the first candidate’s time', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'slow answer',
      steps: [
        { type: 'navigate', url: `${url}/slow` },
        { type: 'click', selectors: [['#send'], ['text/Send']], assertedEvents: [{ type: 'navigation', url: `${url}/slow-done`, title: 'Received' }] },
      ],
    });
    const summary = await replay(scenario, { users: 2, concurrency: 2, baseUrl: url, sink, stepTimeoutMs: 8000, browsers: 1 });
    expect(summary.results.map((r) => [r.status, r.error, r.steps[1]!.matchedSelector])).toEqual([
      ['passed', null, '#send'],
      ['passed', null, '#send'],
    ]);
    expect(summary.results.every((r) => r.steps[1]!.durationMs >= 3000)).toBe(true);
    expect([...posts.entries()].sort(([a], [b]) => a - b)).toEqual([[1, 1], [2, 1]]);
  });

  it('clicks without a new page and waits for an element on the first candidate, the next one where the first is gone', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'flip a switch',
      steps: [
        { type: 'navigate', url: `${url}/flip` },
        { type: 'click', selectors: [['#flip-new'], ['#flip-old']] },
        { type: 'waitForElement', selectors: [['#status-new'], ['.status-old']] },
      ],
    });
    const summary = await replay(scenario, { users: 6, concurrency: 1, baseUrl: url, sink, stepTimeoutMs: 5000, browsers: 1 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4, 5, 6].map((u) => [u, 'passed', null]));
    expect(summary.results.map((r) => [r.steps[1]!.matchedSelector, r.steps[2]!.matchedSelector])).toEqual(
      [1, 2, 3, 4, 5, 6].map((u) => (u % 2 ? ['#flip-new', '#status-new'] : ['#flip-old', '.status-old'])),
    );
    // The site's own record: each visitor pressed once.
    expect([...flipped.entries()].sort(([a], [b]) => a - b)).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1]]);
  });

  it('waits for a page busy with a click it was sent, and fails the step there when it stays busy past the step’s time', async ({ expect }) => {
    const busy = (ms: number) =>
      parseScenario({
        title: 'busy page',
        steps: [
          { type: 'navigate', url: `${url}/busy?ms=${ms}` },
          { type: 'click', selectors: [['#check'], ['text/Check']] },
          { type: 'waitForElement', selectors: [['#checked']], timeout: 1000 },
        ],
      });
    // Busy for 3 s, more than a first candidate's 2 s: the click is taken once, the step waits it out.
    const slow = (await replay(busy(3000), { users: 1, baseUrl: url, sink, stepTimeoutMs: 8000, browsers: 1 })).results[0]!;
    expect([slow.status, slow.error, slow.steps[1]!.matchedSelector]).toEqual(['passed', null, '#check']);
    expect(slow.steps[1]!.durationMs).toBeGreaterThanOrEqual(3000);
    expect(busyPresses).toBe(1);
    // Busy for 9 s, past the step's 4 s: the step that sent the click is the one that failed, saying so.
    const stuck = (await replay(busy(9000), { users: 1, baseUrl: url, sink, stepTimeoutMs: 4000, browsers: 1 })).results[0]!;
    expect(stuck).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'timeout' });
    expect(stuck.error).toMatch(/^sent the click to "#check", but the page did not finish taking it within the step's 4 s/);
  });

  it('says the click was sent and no page came when the page never answers a click it took late', async ({ expect }) => {
    const scenario = parseScenario({
      title: 'never answered',
      steps: [
        { type: 'navigate', url: `${url}/late-button` },
        { type: 'click', selectors: [['#send'], ['text/Send']], assertedEvents: [{ type: 'navigation', url: `${url}/received`, title: 'Received' }] },
      ],
    });
    const person = (await replay(scenario, { users: 1, baseUrl: url, sink, stepTimeoutMs: 6000, browsers: 1 })).results[0]!;
    // The page's own record: the form was sent, once, and never answered.
    expect(hangPosts).toBe(1);
    expect(person).toMatchObject({ status: 'failed', failedStep: 1, errorClass: 'timeout' });
    expect(person.error).toMatch(/^sent the click to "#send", but no new page came within the step's 6 s; still waiting for POST \/hang/);
  });
});

describe('how long a person waits on the first candidate', () => {
  const step = parseScenario({ title: 'wait', steps: [{ type: 'click', selectors: [['#go'], ['#go-old']] }] }).steps[0]!;

  it('is 2 s on an idle machine, and three times the person’s pace when their page answers slowly, at most half the step', () => {
    expect(firstCandidateWait(step, 30_000, 150)).toBe(2000);
    // A crowd reaching a step before anyone finished it: the person's last page took 4 s.
    expect(firstCandidateWait(step, 30_000, 4000)).toBe(12_000);
    expect(firstCandidateWait(step, 30_000, 9000)).toBe(15_000);
    expect(firstCandidateWait(step, 1500, 4000)).toBe(1500);
  });

  it('grows with what the step took the last person, whichever of the two is longer', () => {
    tookLast.set(step, 3000);
    expect(firstCandidateWait(step, 30_000, 1000)).toBe(9000);
    expect(firstCandidateWait(step, 30_000, 4000)).toBe(12_000);
    tookLast.delete(step);
  });
});
