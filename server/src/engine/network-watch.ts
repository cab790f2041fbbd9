// What one person's browser saw on the network: the last main-document status, requests still
// waiting for an answer, server errors, and requests blocked for being outside the allowed
// origins. Kept per person so failures can say why.
//
// Cheap while the person gets through: Playwright sends the runner an event for every request a
// page makes (images, scripts, fonts) once anyone listens for requests or responses, about 0.2 ms
// of the runner's CPU each. The watch listens only for documents (onMainDocument) and for failed
// requests (few: they are what it counts), and asks the pages for their requests only when a
// step fails: Playwright keeps each page's last 100 (page.requests()).
import type { BrowserContext, Page, Request, Response } from 'playwright-core';
import { BLOCKED_ERROR } from './errors.js';
import { isMainFrameOf, onMainDocument } from './playwright.js';

/** Requests whose answer a person waits for; images and fonts never block a flow. */
const WAITED_FOR = new Set(['document', 'fetch', 'xhr']);

/** What the network says about a failed step: see FailureContext. */
export interface NetworkAtFailure {
  pending: string[];
  httpProblems: string[];
}

interface HttpProblem {
  at: number;
  text: string;
}

function describe(request: Request): string {
  const url = new URL(request.url());
  return `${request.method()} ${url.pathname}`;
}

/**
 * When the browser had the answer's headers, by its own clock (the same machine's as the
 * runner's, or a browser server's kept in step by NTP); null for a request not answered.
 */
function answeredAt(request: Request): number | null {
  const { startTime, responseStart } = request.timing();
  return startTime > 0 && responseStart >= 0 ? startTime + responseStart : null;
}

export class NetworkWatch {
  lastDocumentStatus: number | null = null;
  lastDocumentUrl: string | null = null;
  /** "METHOD /path" of the last main-document request, for messages. */
  lastDocument: string | null = null;
  /** The last page (document) the browser was kept from opening: outside the allowed origins. */
  blockedNavigation: string | null = null;
  /** How documents are watched: 'navigated' unless this Playwright lacks the frame event. */
  documentsBy: 'navigated' | 'response' | null = null;
  #context: BrowserContext;
  #blocked = new Map<string, number>();
  #failures: HttpProblem[] = [];
  #isTarget: (url: string) => boolean;

  constructor(context: BrowserContext, isTarget: (url: string) => boolean) {
    this.#context = context;
    this.#isTarget = isTarget;
    for (const page of context.pages()) this.#watchDocuments(page);
    context.on('page', (page) => this.#watchDocuments(page));
    context.on('requestfailed', (r) => this.#failed(r));
  }

  #watchDocuments(page: Page): void {
    let followed = false;
    this.documentsBy = onMainDocument(page, (request, response) => {
      followed = true;
      if (response) this.#document(request, response);
    });
    // Playwright hands a popup over once its first page has begun to load: that document's
    // navigation has gone by unseen. Its request is asked of the popup, once (from then on
    // Playwright sends that popup's requests; popups are few).
    if (page.url() === 'about:blank') return;
    void page.requests().then((requests) => {
      const document = requests.findLast((r) => r.isNavigationRequest() && isMainFrameOf(page, r));
      const response = document?.existingResponse();
      if (!followed && document && response) this.#document(document, response);
    }, () => undefined);
  }

  #document(request: Request, response: Response): void {
    this.lastDocumentStatus = response.status();
    this.lastDocumentUrl = response.url();
    this.lastDocument = describe(request);
  }

  #failed(request: Request): void {
    const error = request.failure()?.errorText ?? 'failed';
    if (!this.#isTarget(request.url())) {
      // Outside the allowed origins, a request can only fail: Chromium sent it to the blocking proxy.
      if (BLOCKED_ERROR.test(error)) {
        const origin = new URL(request.url()).origin;
        this.#blocked.set(origin, (this.#blocked.get(origin) ?? 0) + 1);
        if (request.isNavigationRequest()) this.blockedNavigation = request.url();
      }
      return;
    }
    // ERR_ABORTED is the browser cancelling a request because the page moved on: not a fault.
    if (error.includes('ERR_ABORTED')) return;
    this.#failures.push({ at: Date.now(), text: `${describe(request)} failed (${error})` });
  }

  /**
   * The target's requests (document, fetch, XHR) still unanswered, and its 5xx answers and failed
   * requests since `since`, in the order they came, from each open page's last 100 requests.
   * Asking makes Playwright send that page's requests from then on: only for a failed step.
   */
  async atFailure(since: number): Promise<NetworkAtFailure> {
    const requests = (await Promise.all(this.#context.pages().map((page) => page.requests().catch(() => [])))).flat();
    const pending: string[] = [];
    const problems = this.#failures.filter((p) => p.at >= since);
    for (const request of requests) {
      if (!this.#isTarget(request.url())) continue;
      const response = request.existingResponse();
      if (!response) {
        if (WAITED_FOR.has(request.resourceType()) && !request.failure()) pending.push(describe(request));
        continue;
      }
      const at = answeredAt(request);
      if (response.status() >= 500 && at !== null && at >= since) problems.push({ at, text: `${describe(request)} answered ${response.status()}` });
    }
    problems.sort((a, b) => a.at - b.at);
    return { pending, httpProblems: problems.map((p) => p.text) };
  }

  /** Requests blocked so far, by origin. */
  blocked(): Record<string, number> {
    return Object.fromEntries(this.#blocked);
  }
}
