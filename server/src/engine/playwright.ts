// playwright-core's runtime exports, loaded with require() rather than import. playwright-core is
// CommonJS: importing it from an ES module makes Node scan its whole bundle (~7 MB, through every
// re-export) for named exports before running it, about 0.2 s of CPU at every start of Turnout.
// require() loads the same module (one copy, shared with any import of it) without that scan.
// Types still come from `import type … from 'playwright-core'`.
import { createRequire } from 'node:module';
import type * as Playwright from 'playwright-core';

const requireCommonJs = createRequire(import.meta.url);
const playwright = requireCommonJs('playwright-core') as typeof Playwright;

export const { chromium, errors } = playwright;
