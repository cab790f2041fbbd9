// What one person's browser saw on the network: the last main-document status, requests still
// waiting for an answer, server errors, and requests blocked for being outside the allowed
// origins. Kept per person so failures can say why.
import type { BrowserContext, Request, Response } from 'playwright-core';
import { BLOCKED_ERROR } from './errors.js';

/** Requests whose answer a person waits for; images and fonts never block a flow. */
const WAITED_FOR = new Set(['document', 'fetch', 'xhr']);

export interface HttpProblem {
  at: number;
  text: string;
}

function describe(request: Request): string {
  const url = new URL(request.url());
  return `${request.method()} ${url.pathname}`;
}

function isTopLevel(request: Request): boolean {
  try {
    return request.frame().parentFrame() === null;
  } catch {
    // A popup's first navigation is issued before its frame exists: it is a top-level document.
    return true;
  }
}

export class NetworkWatch {
  lastDocumentStatus: number | null = null;
  lastDocumentUrl: string | null = null;
  /** "METHOD /path" of the last main-document request, for messages. */
  lastDocument: string | null = null;
  /** The last page (document) the browser was kept from opening: outside the allowed origins. */
  blockedNavigation: string | null = null;
  #pending = new Set<Request>();
  #blocked = new Map<string, number>();
  #problems: HttpProblem[] = [];
  #isTarget: (url: string) => boolean;

  constructor(context: BrowserContext, isTarget: (url: string) => boolean) {
    this.#isTarget = isTarget;
    context.on('request', (r) => {
      if (WAITED_FOR.has(r.resourceType())) this.#pending.add(r);
    });
    // A request is answered when its response arrives: its body may never be read to the end
    // (the page moved on, a stream). No `requestfinished` listener: it would add an event per
    // request from Chromium for nothing the watch does not already know.
    context.on('requestfailed', (r) => this.#failed(r));
    context.on('response', (r) => this.#response(r));
  }

  #response(response: Response): void {
    const request = response.request();
    this.#pending.delete(request);
    if (request.isNavigationRequest() && isTopLevel(request)) {
      this.lastDocumentStatus = response.status();
      this.lastDocumentUrl = response.url();
      this.lastDocument = describe(request);
    }
    if (response.status() >= 500 && this.#isTarget(response.url())) {
      this.#problems.push({ at: Date.now(), text: `${describe(request)} answered ${response.status()}` });
    }
  }

  #failed(request: Request): void {
    this.#pending.delete(request);
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
    this.#problems.push({ at: Date.now(), text: `${describe(request)} failed (${error})` });
  }

  /** Requests of the target still waiting for an answer. */
  pending(): string[] {
    return [...this.#pending].filter((r) => this.#isTarget(r.url())).map(describe);
  }

  /** Requests blocked so far, by origin. */
  blocked(): Record<string, number> {
    return Object.fromEntries(this.#blocked);
  }

  problemsSince(at: number): string[] {
    return this.#problems.filter((p) => p.at >= at).map((p) => p.text);
  }
}
