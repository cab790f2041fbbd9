#!/usr/bin/env node
// Builds the `turnout` command into dist/cli (plain JavaScript, dependencies left as imports):
// starting it then costs no TypeScript transform. bin/turnout.js uses the build while it is
// newer than every source file, and the sources through tsx otherwise.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
// Dependencies stay imports, but zod: as ~100 small modules it costs every run twice the start-up
// it costs bundled (and the CLI, the server and the schema share this one copy).
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(dependencies)
  .filter((name) => name !== 'zod')
  .flatMap((name) => [name, `${name}/*`]);
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
  external,
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`built ${outdir}`);
