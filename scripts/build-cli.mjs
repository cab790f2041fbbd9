#!/usr/bin/env node
// Builds the `turnout` command into dist/cli (plain JavaScript, dependencies left as imports):
// starting it then costs no TypeScript transform. bin/turnout.js uses the build while it is
// newer than every source file, and the sources through tsx otherwise.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'server/src/cli/main.ts')],
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true, // each command's modules load only when that command runs
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`built ${outdir}`);
