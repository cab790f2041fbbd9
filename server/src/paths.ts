// Where Turnout's own files are, whether it runs from its sources (tsx) or from the built CLI
// (dist/): the folder holding Turnout's package.json, found by walking up from this module.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'turnout') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Turnout folder (package.json named "turnout")');
    dir = up;
  }
}

export const ROOT = findRoot();
export const fromRoot = (...parts: string[]): string => join(ROOT, ...parts);
