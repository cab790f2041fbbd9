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

/** What Playwright's client hands its own frames when one navigates (packages/playwright-core/src/client/frame.ts). */
interface NavigatedEvent {
  error?: string;
  newDocument?: { request?: { _object?: Playwright.Request } };
}

/**
 * Calls `listener` with the request and response of each new document the page's main frame
 * commits. Playwright sends every page's document requests and responses to its client whatever
 * anyone listens for, but offers them only through the `request` and `response` events — and
 * listening to either makes it send every request's three events, images and scripts included
 * (0.2 ms of Node's CPU each, a sixth of the runner's work on a page with 40 subresources). Its
 * frames' own `navigated` event names the document's request: listened to here, as Playwright's
 * own `waitForNavigation` does. A Playwright without that event gets the public `response`
 * listener instead: the same answers at the higher cost (test/engine/network-watch.test.ts says which).
 */
export function onMainDocument(page: Playwright.Page, listener: (request: Playwright.Request, response: Playwright.Response | null) => void): 'navigated' | 'response' {
  const frame = page.mainFrame() as unknown as { _eventEmitter?: { on(event: 'navigated', f: (event: NavigatedEvent) => void): void } };
  if (frame._eventEmitter) {
    frame._eventEmitter.on('navigated', (event) => {
      let request = event.error ? undefined : event.newDocument?.request?._object;
      if (!request) return; // a failed navigation, or one within the same document
      for (let next = request.redirectedTo(); next; next = next.redirectedTo()) request = next;
      listener(request, request.existingResponse());
    });
    return 'navigated';
  }
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && isMainFrameOf(page, request)) listener(request, response);
  });
  return 'response';
}

/** Whether a navigation request is the page's own document (not one of its frames'). */
export function isMainFrameOf(page: Playwright.Page, request: Playwright.Request): boolean {
  try {
    return request.frame() === page.mainFrame();
  } catch {
    // A popup's first navigation is issued before its frame exists: it is a top-level document.
    return true;
  }
}
