// Set up before every test file (vitest.config.ts, setupFiles): a mark in the environment that every
// process the file starts inherits (Chromium, and the Turnout CLIs, servers, workers and browser
// servers that start Chromium), so that "no Chromium left behind" counts this file's browsers only.
// A sampler notes the sessions of the file's browsers while they live, so that helpers a dying
// browser leaves behind are still known as this file's (test/helpers/servers.ts, ownChromium).
// The files share one worker process, one after another: each sets its own mark, and the one
// sampler, started by the first, reads whichever mark is current.
import { randomUUID } from 'node:crypto';
import { FILE_MARK, ownChromium } from './servers.js';

process.env[FILE_MARK] = randomUUID();
const SAMPLER = Symbol.for('turnout.test.chromiumSampler');
const shared = globalThis as unknown as Record<symbol, NodeJS.Timeout | undefined>;
shared[SAMPLER] ??= setInterval(() => void ownChromium(), 1000).unref();
