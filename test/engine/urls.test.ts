import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../schema/index.js';
import { UrlPolicy } from '../../server/src/engine/urls.js';

const scenario = parseScenario({
  title: 't',
  steps: [
    { type: 'navigate', url: 'https://enroll.example.test/start?x=1' },
    { type: 'click', selectors: ['a'], target: 'https://help.example.test/popup' },
  ],
});

describe('UrlPolicy', () => {
  it('rewrites the recorded origin to the base URL and leaves others alone', () => {
    const urls = new UrlPolicy(scenario, 'http://127.0.0.1:4100');
    expect(urls.rewrite('https://enroll.example.test/start?x=1')).toBe('http://127.0.0.1:4100/start?x=1');
    expect(urls.rewrite('https://help.example.test/popup')).toBe('https://help.example.test/popup');
  });

  it('allows the scenario’s own origins and the base URL, nothing else', () => {
    const urls = new UrlPolicy(scenario, 'http://127.0.0.1:4100', ['http://127.0.0.1:5000']);
    expect([...urls.allowed].sort()).toEqual(['http://127.0.0.1:4100', 'http://127.0.0.1:5000', 'https://help.example.test']);
    expect(urls.isAllowed('http://169.254.169.254/latest/meta-data')).toBe(false);
    expect(() => urls.assertAllowed('http://10.0.0.1/admin')).toThrow('http://10.0.0.1/admin is outside the allowed origins');
  });

  it('hands Playwright a route pattern that lets allowed requests through and catches the rest', () => {
    const pattern = new UrlPolicy(scenario, 'http://127.0.0.1:4100').blockedPattern();
    for (const allowed of ['http://127.0.0.1:4100/', 'http://127.0.0.1:4100/account/new?x=1', 'http://127.0.0.1:4100', 'https://help.example.test/popup#top']) {
      expect(pattern.test(allowed), allowed).toBe(false);
    }
    for (const blocked of [
      'http://127.0.0.1:41000/', // a longer port is another origin
      'http://127.0.0.1:5000/',
      'https://127.0.0.1:4100/', // another scheme
      'http://169.254.169.254/latest/meta-data',
      'https://help.example.test.evil.test/', // a longer host
      'http://127.0.0.1:4100@evil.test/', // userinfo trick: the host is evil.test
      'https://tracker.example.net/pixel.gif',
    ]) {
      expect(pattern.test(blocked), blocked).toBe(true);
    }
    expect(pattern.test('data:text/html,hi')).toBe(false); // not a network request
  });

  it('refuses a base URL that is not absolute', () => {
    expect(() => new UrlPolicy(scenario, 'localhost:4100/')).toThrow('--base-url "localhost:4100/" is not an absolute http(s) URL');
  });
});
