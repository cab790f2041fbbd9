import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../server/src/engine/identity.js';
import { expand, redact, secretNames } from '../../server/src/engine/variables.js';
import { parseScenario } from '../../schema/index.js';

describe('synthetic identities', () => {
  it('are the same person for the same seed and index, and different people otherwise', () => {
    const a = makeIdentity('seed-1', 7, 'run1', 'inbox.test');
    expect(makeIdentity('seed-1', 7, 'run1', 'inbox.test')).toEqual(a);
    expect(makeIdentity('seed-1', 8, 'run1', 'inbox.test').fullName).not.toBe(a.fullName);
    expect(makeIdentity('seed-2', 7, 'run1', 'inbox.test').password).not.toBe(a.password);
  });

  it('are someone new to the site when a person is started again, with nothing a sign-up could refuse as taken', () => {
    const first = makeIdentity('seed-1', 7, 'run1', 'inbox.test');
    expect(makeIdentity('seed-1', 7, 'run1', 'inbox.test', 0)).toEqual(first);
    const again = makeIdentity('seed-1', 7, 'run1', 'inbox.test', 1);
    expect(makeIdentity('seed-1', 7, 'run1', 'inbox.test', 1)).toEqual(again);
    for (const field of ['email', 'username', 'password', 'phone', 'unique'] as const) expect(again[field], field).not.toBe(first[field]);
    expect(again.index).toBe('7');
    expect(again.email).toMatch(/^[a-z]+\.[a-z]+\.7r1\.run1@inbox\.test$/);
    // Nobody else in the run has that address or username.
    const others = Array.from({ length: 500 }, (_, i) => makeIdentity('seed-1', i + 1, 'run1', 'inbox.test'));
    expect(others.map((p) => p.email)).not.toContain(again.email);
    expect(others.map((p) => p.username)).not.toContain(again.username);
  });

  it('have a unique address per person and run at the sink domain', () => {
    const emails = new Set<string>();
    for (let i = 1; i <= 500; i++) emails.add(makeIdentity('s', i, 'run1', 'inbox.test').email);
    for (let i = 1; i <= 500; i++) emails.add(makeIdentity('s', i, 'run2', 'inbox.test').email);
    expect(emails.size).toBe(1000);
    for (const e of emails) expect(e).toMatch(/^[a-z]+\.[a-z]+\.\d+\.run\d@inbox\.test$/);
  });

  it('have plausible fields: ISO birth date of an adult, 10-digit phone, strong password', () => {
    const p = makeIdentity('s', 1, 'r', 'd.test');
    const age = 2026 - Number(p.dateOfBirth.slice(0, 4));
    expect(age).toBeGreaterThanOrEqual(18);
    expect(age).toBeLessThanOrEqual(65);
    expect(p.phone).toMatch(/^[2-9]\d{9}$/);
    expect(p.password.length).toBeGreaterThanOrEqual(12);
    expect(p.fullName).toBe(`${p.firstName} ${p.lastName}`);
    expect(p.index).toBe('1');
  });
});

describe('expand', () => {
  const user = makeIdentity('s', 3, 'r', 'd.test');
  const scope = { user, runId: 'run-42', extracted: new Map([['code', '123456']]), env: { API_TOKEN: 't0k3n' } };

  it('fills identity fields, the run id, extracted values and secrets', () => {
    expect(expand('{{user.email}}|{{ user.firstName }}|{{run.id}}|{{code}}|{{secret.API_TOKEN}}', scope)).toBe(
      `${user.email}|${user.firstName}|run-42|123456|t0k3n`,
    );
    expect(expand('no variables here', scope)).toBe('no variables here');
  });

  it('says which secret is missing from the environment', () => {
    expect(() => expand('{{secret.MISSING}}', scope)).toThrow('{{secret.MISSING}} is not set: export MISSING in the environment');
  });

  it('lists the secrets a scenario uses', () => {
    const scenario = parseScenario({
      title: 't',
      steps: [{ type: 'navigate', url: 'https://a.test/?k={{secret.KEY}}' }, { type: 'change', selectors: ['#p'], value: '{{secret.PASS}}' }],
    });
    expect(secretNames(scenario).sort()).toEqual(['KEY', 'PASS']);
  });

  it('redacts passwords and secrets from messages, also URL- and form-encoded', () => {
    expect(redact(`filled ${user.password} and t0k3n`, [user.password, 't0k3n'])).toBe('filled «redacted» and «redacted»');
    const secret = 'a b!c/d';
    expect(redact(`q=a%20b!c%2Fd&form=a+b%21c%2Fd`, [secret])).toBe('q=«redacted»&form=«redacted»');
  });
});
