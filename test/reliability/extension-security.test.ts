// The recorder asks for little, loads no code from anywhere, and cannot be driven by web pages.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_DIST, launchWithExtension, type WithExtension } from '../helpers/extension.js';
import { serveFixtures, type Served } from '../helpers/servers.js';

let ext: WithExtension;
let site: Served;

beforeAll(async () => {
  ext = await launchWithExtension();
  site = await serveFixtures();
}, 60_000);

afterAll(async () => {
  await ext?.context.close();
  await site?.close();
});

describe('the recorder extension', () => {
  it('asks only for the permissions its README explains', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIST, 'manifest.json'), 'utf8'));
    expect(manifest.permissions).toEqual(['storage', 'webNavigation', 'tabs']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.content_security_policy.extension_pages).toBe("script-src 'self'; object-src 'self'");
  });

  it('loads no code from the network', () => {
    for (const file of readdirSync(EXTENSION_DIST).filter((f) => /\.(js|html)$/.test(f))) {
      const text = readFileSync(join(EXTENSION_DIST, file), 'utf8');
      expect(text, file).not.toMatch(/<script[^>]+src=["']https?:|import\(\s*["']https?:|importScripts\(/);
      expect(text, file).not.toMatch(/\beval\(|new Function\(/);
    }
  });

  it('cannot be reached by a web page', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${site.url}/selectors.html`);
    const reachable = await page.evaluate(async (id) => {
      const runtime = (globalThis as unknown as { chrome?: { runtime?: { sendMessage?: (id: string, m: unknown) => Promise<unknown> } } }).chrome?.runtime;
      if (!runtime?.sendMessage) return 'no runtime';
      return runtime.sendMessage(id, { type: 'recordings:list', payload: null }).then(() => 'answered', (e: Error) => `refused: ${e.message}`);
    }, ext.extensionId);
    expect(reachable).not.toBe('answered');
    await page.close();
  });
});
