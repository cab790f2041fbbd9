// Recordings between Chrome's Recorder, Turnout and Playwright Test, without hand work.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChromeRecording } from '../../schema/chrome.js';
import { parseScenario } from '../../schema/index.js';
import { findChromium } from '../../server/src/engine/chromium.js';
import { importChrome } from '../../server/src/interop/import-chrome.js';
import { turnout } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/turnout-server.js';

const RECORDINGS = 'test/fixtures/recordings';
const read = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe('Chrome Recorder round trip', () => {
  it.each(readdirSync(RECORDINGS))('export(import(%s)) is the same file', (name) => {
    const original = read(join(RECORDINGS, name));
    const { scenario } = importChrome(original, name);
    expect(toChromeRecording(scenario)).toEqual(original);
  });

  it('turns Turnout steps that travelled as customStep back into themselves, and notes what replays differently', () => {
    const { scenario, notes } = importChrome(read(join(RECORDINGS, 'all-steps.json')), 'all-steps.json');
    expect(scenario.steps.slice(-3).map((s) => s.type)).toEqual(['waitForEmail', 'openEmailLink', 'customStep']);
    expect(notes).toEqual([
      'steps[21]: customStep "analyticsCheck" is kept; Turnout\'s replay skips it, as Chrome\'s does without its extension',
      'assertedEvents: each landing page is checked against its recorded title (digits may differ) and its path and query-parameter names; another page fails as unexpected-page',
    ]);
  });

  it('turnout import writes the scenario with $schema and offers variables for literal emails and passwords', async () => {
    mkdirSync(resolve('.turnout'), { recursive: true }); // a fresh clone has none yet
    const dir = mkdtempSync(join(resolve('.turnout'), 'import-'));
    const file = join(dir, 'signup.json');
    writeFileSync(file, JSON.stringify({ title: 'Sign up', steps: [
      { type: 'navigate', url: 'https://x.test/' },
      { type: 'change', selectors: [['aria/Email']], value: 'qa.person@company.test' },
      { type: 'change', selectors: [['#password']], value: 'hunter2-secret' },
    ] }));
    const plain = await turnout(['import', file, '-o', join(dir, 'out.json')]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('note: steps[1].value: an email address typed literally — every synthetic person would use it; --variables turns it into {{user.email}}');
    const withVariables = await turnout(['import', file, '--variables', '-o', join(dir, 'scenarios', 'vars.json')]);
    expect(withVariables.stderr).toContain('note: steps[2].value: a password replaced by {{user.password}}');
    const written = read(join(dir, 'scenarios', 'vars.json')) as { $schema: string; steps: { value?: string }[] };
    expect(written.steps.map((s) => s.value)).toEqual([undefined, '{{user.email}}', '{{user.password}}']);
    expect(resolve(join(dir, 'scenarios'), written.$schema)).toBe(resolve('scenarios/scenario.schema.json'));
  });

  it('turnout import --end-check adds a check of the last page the recording landed on', async () => {
    mkdirSync(resolve('.turnout'), { recursive: true });
    const dir = mkdtempSync(join(resolve('.turnout'), 'import-'));
    const file = join(dir, 'search.json');
    writeFileSync(file, JSON.stringify({ title: 'Search', steps: [
      { type: 'navigate', url: 'https://x.test/' },
      { type: 'click', selectors: [['aria/Search']], assertedEvents: [{ type: 'navigation', url: 'https://x.test/results?q=gold', title: 'Results' }] },
    ] }));
    const out = await turnout(['import', file, '--end-check', '-o', join(dir, 'out.json')]);
    expect(out.stderr).toContain('note: steps[2]: end check added — the page must be "Results" at /results');
    const written = read(join(dir, 'out.json')) as { steps: Record<string, unknown>[] };
    expect(written.steps.at(-1)).toEqual({ type: 'waitForExpression', name: 'end-page', title: 'reached the end page', expression: 'document.title === "Results" && location.pathname === "/results"' });
    const plain = await turnout(['import', file, '-o', join(dir, 'plain.json')]);
    expect((read(join(dir, 'plain.json')) as { steps: unknown[] }).steps).toHaveLength(2);
    expect(plain.stderr).not.toContain('end check');
  });

  it('turnout export --chrome writes customStep for email steps', async () => {
    const out = await turnout(['export', '--chrome', 'scenarios/demo-enrollment.json']);
    const chrome = JSON.parse(out.stdout) as { steps: { type: string; name?: string }[]; $schema?: string };
    expect(chrome.$schema).toBeUndefined();
    expect(chrome.steps.filter((s) => s.type === 'customStep').map((s) => s.name)).toEqual(['waitForEmail', 'extractFromEmail', 'openEmailLink']);
    expect(parseScenario(chrome).steps).toHaveLength(31);
  });
});

describe('the JSON Schema', () => {
  it('is referenced by every scenario file and accepts it', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(read('scenarios/scenario.schema.json') as object);
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const data = read(join('scenarios', f)) as { $schema?: string };
      expect(data.$schema, f).toBe('./scenario.schema.json');
      expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ title: 'x', steps: [{ type: 'click', selectors: 'a' }] })).toBe(false);
  });
});

describe('export to Playwright Test', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t?.close());

  it('the demo scenario’s spec runs green against the demo site, email included', async () => {
    mkdirSync(resolve('.turnout'), { recursive: true });
    const dir = mkdtempSync(join(resolve('.turnout'), 'playwright-'));
    const spec = join(dir, 'enrollment.spec.ts');
    const exported = await turnout(['export', '--playwright', 'scenarios/demo-enrollment.json', '--base-url', t.site.url, '-o', spec]);
    expect(exported.code).toBe(0);
    const source = readFileSync(spec, 'utf8');
    expect(source).toContain("await fillField(page.getByRole('textbox', { name: 'Email', exact: true }), user.email);");
    expect(source).toContain("mail = await inbox.waitFor(user.email, { subject: 'Confirm your email', timeoutMs: 10000 });");
    writeFileSync(
      join(dir, 'playwright.config.ts'),
      `export default { testDir: '.', timeout: 60_000, reporter: 'line', use: { headless: true, launchOptions: { executablePath: ${JSON.stringify(findChromium()!.executablePath)} } } };\n`,
    );
    const run = await promisify(execFile)(resolve('node_modules/.bin/playwright'), ['test', '-c', join(dir, 'playwright.config.ts')], {
      env: { ...process.env, TURNOUT_URL: t.server.url },
    }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect(run.stdout).toMatch(/1 passed/);
    // The person really enrolled: the site saw the account go all the way.
    expect(t.site.truth().people.map((p) => p.reached)).toEqual(['submitted']);
  });
});
