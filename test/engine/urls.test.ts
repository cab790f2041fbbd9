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

  it('gives Chromium a proxy that refuses everything, bypassed only for each allowed origin and port', () => {
    const urls = new UrlPolicy(scenario, 'http://127.0.0.1:4100', ['http://[::1]:5000', 'http://plain.example.test']);
    const { server, bypass } = urls.browserProxy();
    expect(server).toBe('http://127.0.0.1:0');
    expect(bypass.split(',').sort()).toEqual(
      [
        '<-loopback>', // localhost is not bypassed implicitly: another port on this machine stays blocked
        'http://127.0.0.1:4100', 'ws://127.0.0.1:4100',
        'https://help.example.test:443', 'wss://help.example.test:443', // default ports written out: a rule without one matches every port
        'http://[::1]:5000', 'ws://[::1]:5000',
        'http://plain.example.test:80', 'ws://plain.example.test:80',
      ].sort(),
    );
    // No allowed origin: everything goes to the refusing proxy.
    expect(new UrlPolicy(parseScenario({ title: 't', steps: [{ type: 'waitForElement', selectors: ['p'] }] }), null).browserProxy().bypass).toBe('<-loopback>');
  });

  it('refuses a base URL that is not absolute', () => {
    expect(() => new UrlPolicy(scenario, 'localhost:4100/')).toThrow('--base-url "localhost:4100/" is not an absolute http(s) URL');
  });
});
