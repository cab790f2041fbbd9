// Which Chromium to drive, and how to start it on a machine with a closed network.
import { existsSync } from 'node:fs';
import { chromium } from './playwright.js';

export type BrowserKind = 'headless-shell' | 'chromium';

export interface ChromiumBinary {
  kind: BrowserKind;
  executablePath: string;
}

// Debian's /usr/bin wrappers start the real binary as a child, which hides its PID from
// Playwright; launching the binary in /usr/lib/chromium directly lets Playwright kill it.
const DEBIAN_HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';
const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';

/** Switches Chromium needs here: without them it keeps trying to reach Google's hosts. */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function playwrightOwn(): string | null {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * Finds a Chromium: TURNOUT_CHROMIUM if set, Playwright's own download where present, else
 * Debian's headless-shell (2–3× more people per CPU than full Chromium) or full Chromium.
 */
export function findChromium(prefer: BrowserKind = 'headless-shell'): ChromiumBinary | null {
  const override = process.env.TURNOUT_CHROMIUM;
  if (override) {
    return existsSync(override)
      ? { kind: override.includes('headless') ? 'headless-shell' : 'chromium', executablePath: override }
      : null;
  }
  const candidates: ChromiumBinary[] = [];
  const own = playwrightOwn();
  if (own) candidates.push({ kind: 'chromium', executablePath: own });
  candidates.push({ kind: 'headless-shell', executablePath: DEBIAN_HEADLESS_SHELL });
  candidates.push({ kind: 'chromium', executablePath: DEBIAN_CHROMIUM });
  const present = candidates.filter((c) => existsSync(c.executablePath));
  return present.find((c) => c.kind === prefer) ?? present[0] ?? null;
}

export const CHROMIUM_MISSING =
  'No Chromium found. Install one with: sudo apt-get install -y chromium chromium-headless-shell ' +
  '(or set TURNOUT_CHROMIUM to a Chromium binary).';
