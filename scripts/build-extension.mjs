#!/usr/bin/env node
// Builds extension/ into extension/dist, loadable with "Load unpacked": the service worker and
// pages as ES modules, the content script as one classic script (content scripts cannot be
// modules). No code is loaded from anywhere at run time.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'extension');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const common = { bundle: true, target: 'chrome116', logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: { background: join(root, 'src/background/service-worker.ts'), popup: join(root, 'src/popup/popup.ts'), options: join(root, 'src/options/options.ts') }, outdir: dist, format: 'esm' });
await build({ ...common, entryPoints: { content: join(root, 'src/content/capture.ts') }, outdir: dist, format: 'iife' });
cpSync(join(root, 'manifest.json'), join(dist, 'manifest.json'));
cpSync(join(root, 'src/popup/popup.html'), join(dist, 'popup.html'));
cpSync(join(root, 'src/options/options.html'), join(dist, 'options.html'));
console.log(`built ${dist}`);
