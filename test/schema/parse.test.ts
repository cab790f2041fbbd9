import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../schema/index.js';
import { scenarioJsonSchema, SCENARIO_SCHEMA_PATH } from '../../schema/json-schema.js';

function problems(data: unknown): string[] {
  try {
    parseScenario(data);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the scenario to be refused');
}

const nav = { type: 'navigate', url: 'https://example.test/' };

describe('parseScenario', () => {
  it('names the step and field of each mistake', () => {
    const found = problems({
      title: 'Broken',
      steps: [nav, { type: 'click', selectors: '#a' }, { type: 'change', selectors: [['#b']] }, { type: 'teleport' }],
    });
    expect(found).toContainEqual(expect.stringMatching(/^steps\[1\]\.selectors: .*expected array/));
    expect(found).toContainEqual(expect.stringMatching(/^steps\[2\]\.value: /));
    expect(found).toContainEqual(expect.stringMatching(/^steps\[3\]\.type: .*'navigate'/));
  });

  it('refuses a scenario without title or steps', () => {
    expect(problems({ steps: [] })).toEqual([expect.stringMatching(/^title: /), 'steps: a scenario needs at least one step']);
  });

  it('refuses an empty selector list outside a frame', () => {
    expect(problems({ title: 't', steps: [nav, { type: 'click', selectors: [] }] })).toEqual([
      'steps[1].selectors: at least one selector is needed',
    ]);
  });

  it('accepts what real Chrome exports contain: no offsets, empty selectors in a frame, long timeouts', () => {
    const scenario = parseScenario({
      title: 'Chrome export',
      timeout: 120_000,
      steps: [
        nav,
        { type: 'click', target: 'main', selectors: [['aria/Next'], ['#next']] },
        { type: 'click', target: 'main', frame: [0], selectors: [] },
        { type: 'waitForElement', selectors: [['#x']], timeout: 90_000, futureField: 1 },
      ],
    });
    expect(scenario.steps).toHaveLength(4);
    // Fields Chrome adds later survive instead of being dropped.
    expect((scenario.steps[3] as Record<string, unknown>).futureField).toBe(1);
  });

  it('checks every {{variable}} against the identity fields, run, secrets and extracted names', () => {
    const found = problems({
      title: 't',
      steps: [
        nav,
        { type: 'change', selectors: ['#a'], value: '{{user.mail}}' },
        { type: 'change', selectors: ['#a'], value: '{{code}}' },
        { type: 'waitForEmail', to: '{{user.email}}' },
        { type: 'extractFromEmail', pattern: 'code (\\d+)', as: 'code' },
        { type: 'change', selectors: ['#a'], value: '{{code}} {{run.id}} {{secret.API_TOKEN}} {{user.index}}' },
        { type: 'change', selectors: ['#a'], value: '{{run.name}}' },
      ],
    });
    expect(found).toEqual([
      expect.stringMatching(/^steps\[1\]\.value: unknown variable \{\{user\.mail\}\}; user fields are email, password/),
      'steps[2].value: {{code}} is used before any extractFromEmail step defines it',
      'steps[6].value: unknown variable {{run.name}}; the run offers run.id',
    ]);
  });

  it('wants email steps in order and patterns with a capture group', () => {
    const found = problems({
      title: 't',
      steps: [
        nav,
        { type: 'openEmailLink' },
        { type: 'waitForEmail', to: '{{user.email}}' },
        { type: 'extractFromEmail', pattern: 'no group', as: 'x' },
        { type: 'extractFromEmail', pattern: '(unclosed', as: 'y' },
      ],
    });
    expect(found).toEqual([
      'steps[1].type: openEmailLink needs an earlier waitForEmail step',
      expect.stringMatching(/^steps\[3\]\.pattern: needs one capture group/),
      expect.stringMatching(/^steps\[4\]\.pattern: not a valid regular expression/),
    ]);
  });

  it('parses the demo scenario', () => {
    const scenario = parseScenario(JSON.parse(readFileSync('scenarios/demo-enrollment.json', 'utf8')));
    expect(scenario.steps.map((s) => s.type)).toContain('waitForEmail');
  });
});

describe('the JSON Schema in scenarios/', () => {
  it('is generated from the zod schema and up to date (run `npm run schema`)', () => {
    expect(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')).toBe(scenarioJsonSchema());
  });
});
