// Selectors the recorder picks, on a page written to defeat naive ones: ids regenerated on every
// load, three identical "Select" buttons in cards that change order on every load, an input in
// an open shadow root, one in an iframe, one known only by its <label for>.
import type { Express } from 'express';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../schema/index.js';
import { replay } from '../../server/src/engine/replay.js';
import { MailSink } from '../../server/src/mail/sink.js';
import { launchWithExtension, type WithExtension } from '../helpers/extension.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

const PLANS = ['Bronze', 'Silver', 'Gold'];
let loads = 0;

/** Each load: fresh random ids, the cards rotated by one. */
function trickyPage(app: Express): void {
  app.get('/tricky.html', (_req, res) => {
    loads++;
    const id = () => `x-${Math.random().toString(16).slice(2, 8)}a1`;
    const order = PLANS.map((_, i) => PLANS[(i + loads) % PLANS.length]!);
    const nick = id();
    res.send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tricky</title></head><body>
      ${order.map((p) => `<article class="card"><h3>${p}</h3><p>A plan.</p><button id="${id()}" type="button" onclick="pick('${p}')">Select</button></article>`).join('')}
      <shadow-field></shadow-field>
      <iframe id="${id()}" src="/tricky-frame.html"></iframe>
      <div><label for="${nick}">Nickname</label><input id="${nick}" oninput="set('nick', this.value)"></div>
      <p id="summary">-</p>
      <script>
        const picked = { plan: '', shadow: '', frame: '', nick: '' };
        function set(k, v) { picked[k] = v; document.getElementById('summary').textContent = [picked.plan, picked.shadow, picked.frame, picked.nick].join(' / '); }
        function pick(p) { set('plan', p); }
        customElements.define('shadow-field', class extends HTMLElement {
          connectedCallback() {
            const root = this.attachShadow({ mode: 'open' });
            root.innerHTML = '<label>Favourite colour <input id="${id()}"></label>';
            root.querySelector('input').addEventListener('input', (e) => set('shadow', e.target.value));
          }
        });
      </script></body></html>`);
  });
  app.get('/tricky-frame.html', (_req, res) => {
    res.send(`<!doctype html><html lang="en"><body><label>Dependants <input id="f-${Math.random().toString(16).slice(2, 8)}9" oninput="parent.set('frame', this.value)"></label></body></html>`);
  });
}

let site: Served;
let sink: MailSink;
let ext: WithExtension;
let page: Page;
let scenario: Scenario;

beforeAll(async () => {
  site = await serveFixtures(trickyPage);
  sink = new MailSink({ port: 0 });
  await sink.start();
  ext = await launchWithExtension();
  page = ext.context.pages()[0] ?? (await ext.context.newPage());
}, 60_000);

afterAll(async () => {
  await ext?.context.close();
  await sink?.stop();
  await site?.close();
});

describe('recorded selectors', () => {
  it('records the tricky page', async () => {
    await page.goto(`${site.url}/tricky.html`);
    await ext.turnout('startRecording');
    await page.locator('article', { hasText: 'Gold' }).getByRole('button', { name: 'Select' }).click();
    await page.getByLabel('Favourite colour').click();
    await page.keyboard.type('Blue');
    await page.keyboard.press('Tab');
    await page.frameLocator('iframe').getByLabel('Dependants').click();
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    await page.getByLabel('Nickname').click();
    await page.keyboard.type('Nick');
    await page.keyboard.press('Tab');
    await ext.turnout('setMode', 'assert');
    await page.locator('#summary').click();
    scenario = parseScenario(await ext.turnout('stopRecording'));
    const text = JSON.stringify(scenario);
    expect(text).not.toMatch(/#x-[0-9a-f]{6}a1|#f-[0-9a-f]{6}9/); // no generated id anywhere
  });

  it('tells identical buttons apart by their card’s heading', () => {
    const click = scenario.steps.find((s) => s.type === 'click')!;
    expect(click.type === 'click' && click.selectors[0]).toEqual(['xpath///h3[normalize-space()="Gold"]/ancestor::article[1]//button[normalize-space()="Select"]']);
  });

  it('reaches into the shadow root and the iframe', () => {
    const changes = scenario.steps.filter((s) => s.type === 'change');
    expect(changes.map((s) => s.type === 'change' && s.value)).toEqual(['Blue', '2', 'Nick']);
    expect(changes[0]!.type === 'change' && changes[0]!.selectors[0]).toEqual(['aria/Favourite colour[role="textbox"]']);
    expect(changes[1]).toMatchObject({ frame: [0] });
    expect(changes[1]!.type === 'change' && changes[1]!.selectors[0]).toEqual(['aria/Dependants[role="textbox"]']);
    expect(changes[2]!.type === 'change' && changes[2]!.selectors[0]).toEqual(['aria/Nickname[role="textbox"]']);
  });

  it('replays on a new load, with new ids and the cards in another order', async () => {
    const assertion = scenario.steps.at(-1)!;
    expect(assertion.type === 'waitForElement' && assertion.selectors).toEqual([['text/Gold / Blue / 2 / Nick'], ['#summary']]);
    const summary = await replay(scenario, { users: 1, sink, browsers: 1, stepTimeoutMs: 5000 });
    expect(summary.results[0]).toMatchObject({ status: 'passed', error: null });
  });
});
