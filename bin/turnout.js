#!/usr/bin/env node
// The `turnout` command. Runs the build in dist/cli when it is newer than every source file
// (`npm start`/`npm test`/`npm run build` make it), else the TypeScript sources through tsx
// (Node 20 has no type stripping), so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0);
  }
  return newest;
}

const fresh =
  existsSync(built) &&
  statSync(built).mtimeMs >= Math.max(...['server/src', 'schema', 'scenarios/demo-site'].map((d) => newestSource(join(root, d))));
if (fresh) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/src/cli/main.ts');
}
