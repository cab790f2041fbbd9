#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs what is missing, so that on a fresh machine
// those two commands are all a person types. Plain Node, no dependencies: it runs before any.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const say = (text) => process.stderr.write(`[turnout setup] ${text}\n`);

// 1. npm dependencies: install when node_modules is missing or older than the lockfile.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000)) {
  say('installing npm dependencies…');
  run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

// 2. A Chromium: Playwright's own download where present, else Debian's packages.
const DEBIAN = ['/usr/lib/chromium/chromium-headless-shell', '/usr/lib/chromium/chromium'];
const APT = 'apt-get install -y chromium chromium-headless-shell';
async function playwrightOwn() {
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    return path && existsSync(path);
  } catch {
    return false;
  }
}
const haveDebian = DEBIAN.every((p) => existsSync(p));
if (!process.env.TURNOUT_CHROMIUM && !haveDebian && !(await playwrightOwn())) {
  if (process.getuid?.() === 0) {
    say(`no Chromium found: ${APT}`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium', 'chromium-headless-shell']);
  } else {
    say(`no Chromium found. Install it, then run this again:\n    sudo ${APT}\n  (or set TURNOUT_CHROMIUM to a Chromium binary)`);
    process.exit(1);
  }
}

// 2b. Redis, for the farm's tests (a real redis-server on loopback, started by the tests).
const which = (cmd) => process.env.PATH.split(':').some((dir) => existsSync(join(dir, cmd)));
if (process.env.npm_lifecycle_event === 'pretest' && !which('redis-server')) {
  if (process.getuid?.() === 0) {
    say('no redis-server found (the farm tests need one): apt-get install -y redis-server');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'redis-server']);
  } else {
    say('no redis-server found; the farm tests need one:\n    sudo apt-get install -y redis-server');
  }
}

// 3. The dashboard: build ui/ into ui/dist when missing or older than its sources.
import { readdirSync } from 'node:fs';
const newest = (dir) =>
  Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
const built = join(root, 'ui', 'dist', 'index.html');
const sources = Math.max(newest(join(root, 'ui', 'src')), statSync(join(root, 'ui', 'index.html')).mtimeMs);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  say('building the dashboard…');
  run(join(root, 'node_modules', '.bin', 'vite'), ['build', 'ui', '--logLevel', 'warn']);
}

// 4. The recorder extension, for "Load unpacked".
const extensionBuilt = join(root, 'extension', 'dist', 'manifest.json');
const extensionSources = Math.max(newest(join(root, 'extension', 'src')), statSync(join(root, 'extension', 'manifest.json')).mtimeMs);
if (!existsSync(extensionBuilt) || statSync(extensionBuilt).mtimeMs < extensionSources) {
  say('building the recorder extension…');
  run(process.execPath, [join(root, 'scripts', 'build-extension.mjs')]);
}

// 5. The `turnout` command, built so that it starts without a TypeScript transform.
run(process.execPath, [join(root, 'scripts', 'build-cli.mjs')]);
