// A `change` step sets a value the way its element takes it (text, a select, a checkbox), and a
// step whose element was a select for the last person is set as a select at once. When the site
// serves another kind of element to the next person (an A/B test, a redesign mid-run), that person
// still gets their value in: the site's own record of what each visitor sent is the truth here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import type { MailSink } from '../../server/src/mail/sink.js';
import { serveHandler, startedSink, type Served } from '../helpers/servers.js';

let site: Served;
let url: string;
let sink: MailSink;
let visitors = 0;
/** What each visitor sent: the site's record. */
const sent = new Map<number, { state: string | null; agree: string | null; plan: string | null }>();

beforeAll(async () => {
  site = await serveHandler((req, res) => {
    res.setHeader('content-type', 'text/html');
    const asked = new URL(req.url ?? '/', 'http://x');
    if (asked.pathname === '/got') {
      sent.set(Number(asked.searchParams.get('visitor')), { state: asked.searchParams.get('state'), agree: asked.searchParams.get('agree'), plan: asked.searchParams.get('plan') });
      return void res.end('<title>Got it</title><h1>Got it</h1>');
    }
    // Visitors 1, 2 and 4 get a select; visitor 3 a text field for the same label. Everyone gets a
    // plan to choose, named in the scenario by its label.
    const visitor = ++visitors;
    const state =
      visitor === 3
        ? '<label>State <input name="state"></label>'
        : '<label>State <select name="state"><option value="">Choose…</option><option value="TX">Texas</option><option value="OH">Ohio</option></select></label>';
    res.end(`<title>Coverage</title><form action="/got"><input type="hidden" name="visitor" value="${visitor}">${state}<label><input type="checkbox" name="agree" value="yes"> I agree</label><label>Plan <select name="plan"><option value="b">Bronze</option><option value="s">Silver</option></select></label><button>Send</button></form>`);
  });
  url = site.url;
  sink = await startedSink();
});

afterAll(async () => {
  await sink?.stop();
  await site?.close();
});

describe('a change step', () => {
  it('sets a select, a text field and a checkbox for every person, whatever kind the element was for the person before', async () => {
    const scenario = parseScenario({
      title: 'kinds',
      steps: [
        { type: 'navigate', url: `${url}/` },
        { type: 'change', selectors: [['aria/State']], value: 'OH' },
        // A select's value as its label reads (a hand-written or older scenario): the option it names.
        { type: 'change', selectors: [['aria/Plan']], value: 'Silver' },
        { type: 'change', selectors: [['aria/I agree']], value: 'on' },
        { type: 'click', selectors: [['text/Send']], assertedEvents: [{ type: 'navigation', url: `${url}/got?visitor&state&agree&plan`, title: 'Got it' }] },
      ],
    });
    const summary = await replay(scenario, { users: 4, concurrency: 1, baseUrl: url, sink, stepTimeoutMs: 5000, browsers: 1 });
    expect(summary.results.map((r) => [r.user, r.status, r.error])).toEqual([1, 2, 3, 4].map((u) => [u, 'passed', null]));
    expect([...sent.entries()].sort(([a], [b]) => a - b)).toEqual([1, 2, 3, 4].map((v) => [v, { state: 'OH', agree: 'yes', plan: 's' }]));
  });
});
