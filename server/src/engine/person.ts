// One synthetic person going through the scenario in a fresh browser context: every step timed,
// the first failure classed, screenshotted and explained, the context closed whatever happens.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { personResult, type PersonEventHooks, type PersonResult, type PersonStepResult, type RunPlan, type Scenario, type Step } from '../../../schema/index.js';
import { screenshotFile, type Artifacts } from './artifacts.js';
import type { Mailbox } from '../mail/mailbox.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BrowserPool } from './browser-pool.js';
import { InfrastructureError } from './errors.js';
import { classify, StepFailure } from './failure.js';
import { makeIdentity } from './identity.js';
import { networkOf, throttle } from './network.js';
import { VitalsWatch } from './vitals.js';
import { NetworkWatch, type NetworkAtFailure } from './network-watch.js';
import { pageSays } from './page-says.js';
import { runStep, type PersonSession } from './steps.js';
import type { UrlPolicy } from './urls.js';
import { redact } from './variables.js';
import { redactZip } from './redact-zip.js';
import { pause, within } from './within.js';

/** What a person reports as they go: the engine's only extension point (see schema/events.ts). */
export type PersonHooks = Omit<PersonEventHooks, 'onPersonFinished'>;

/** One person of a run: the run's plan (the same everywhere), their index, and what this machine gives them. */
export interface PersonPlan {
  run: RunPlan;
  index: number;
  /** Times this person was started before (a farm worker lost mid-flow): each attempt is a new identity. */
  attempt?: number;
  fixturesDir: string;
  urls: UrlPolicy;
  sink: Mailbox;
  pool: BrowserPool;
  /** Named in the person's result: which machine and process ran them. */
  worker: string | null;
  /** Aborted when the whole run stops (Ctrl-C, stop button). */
  runSignal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Where the failure screenshot and trace go (a folder here; held for the coordinator on a farm worker). */
  artifacts: Artifacts;
  /** Traces kept for failed people, up to a cap shared by the run; null records none. */
  traces: { left: number } | null;
  /** Names of the secrets the scenario uses: their values are removed from every message. */
  secretNames: readonly string[];
  hooks?: PersonHooks;
}

const SCREENSHOT_TIMEOUT_MS = 3000;
/** Longest wait for the pages' last Web Vitals reports after the last step. */
const SETTLE_VITALS_MS = 1000;
/**
 * Longest wait for what follows a person's last step (the page's words and screenshot, the
 * trace, closing the context): a browser in a bad state must not keep the run from ending.
 */
const RECORD_TIMEOUT_MS = 10_000;

/** Waits for the work (whatever its outcome), at most `ms`. */
const bounded = async (work: Promise<unknown> | undefined, ms: number): Promise<unknown> => work && within(work.catch(() => undefined), ms);

function stepTimeout(plan: PersonPlan, step: Step): number {
  return step.timeout ?? plan.run.scenario.timeout ?? plan.run.stepTimeoutMs;
}

/**
 * Steps whose time is the page's answer to the person (an input, a page load), not the
 * application's work or a mail's journey: what they took is the person's pace.
 */
const PACED = new Set<Step['type']>(['navigate', 'click', 'doubleClick', 'hover', 'change', 'keyDown', 'keyUp', 'scroll', 'openEmailLink']);

/** Resolves with the step's outcome or rejects as soon as the person must stop. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // the work may reject after we gave up on it
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function runPerson(plan: PersonPlan): Promise<PersonResult> {
  const { run } = plan;
  const identity = makeIdentity(run.seed, plan.index, run.runTag, run.mailDomain, plan.attempt);
  const secrets = [identity.password, ...plan.secretNames.map((n) => plan.env[n] ?? '')];
  const startedAt = Date.now();
  plan.hooks?.onPersonStarted?.(plan.index, identity.email);
  const result = personResult(plan.index, identity.email, new Date(startedAt).toISOString(), plan.worker);
  const fail = (step: number, failure: StepFailure): void => {
    result.status = 'failed';
    result.failedStep = step;
    result.errorClass = failure.failureClass;
    result.error = redact(failure.message, secrets);
  };

  const abort = new AbortController();
  const onRunAbort = (): void => abort.abort(plan.runSignal.reason);
  plan.runSignal.addEventListener('abort', onRunAbort, { once: true });
  // The deadline is for the person's work: their think pauses come on top.
  const thinking = run.scenario.steps.reduce((sum, step) => sum + thinkTime(run, step), 0);
  const deadline = setTimeout(
    () => abort.abort(new StepFailure('timeout', `gave up: the person deadline of ${run.personDeadlineMs / 1000} s passed${thinking ? ` (besides ${Math.round(thinking / 1000)} s of think time)` : ''}`)),
    run.personDeadlineMs + thinking,
  );

  let lease: Awaited<ReturnType<BrowserPool['newContext']>> | null = null;
  let browser: Browser | null = null;
  let watch: NetworkWatch | null = null;
  const onBrowserGone = (): void => abort.abort(new InfrastructureError(lease?.where ? `browser server ${lease.where} closed the connection` : 'Chromium exited'));
  // A renderer that dies (killed, out of memory) leaves its page unable to answer anything:
  // Playwright would wait forever for it to evaluate. It ends the person's step at once.
  const onPageCrash = (): void => abort.abort(new InfrastructureError("the page crashed: its Chromium renderer process exited"));
  try {
    if (plan.runSignal.aborted) throw plan.runSignal.reason;
    // Setting up is raced against the person's end too: Playwright can wait for ever for a page
    // that a dying browser will never create. A context that arrives after that is let go.
    const leasing = plan.pool.newContext({ viewport: firstViewport(run.scenario), proxy: plan.urls.browserProxy() });
    lease = await raceAbort(leasing, abort.signal).catch((error: unknown) => {
      void leasing.then((late) => late.release(), () => undefined);
      throw error;
    });
    const { context } = lease;
    if (lease.where) result.worker = `${plan.worker ?? 'local'} via ${lease.where}`;
    // A browser that goes away ends its people's steps at once, not at their timeouts; one
    // already gone by now (killed while the context opened) ends the person here.
    browser = context.browser();
    browser?.once('disconnected', onBrowserGone);
    if (browser && !browser.isConnected()) onBrowserGone();
    // Only the scenario's own origins (and those allowed by configuration) are reachable: the
    // farm must not become a way into internal services. Chromium enforces it (the context's
    // proxy, see UrlPolicy.browserProxy); the watch counts what was blocked, per origin.
    watch = new NetworkWatch(context, (url) => plan.urls.isAllowed(url));
    context.on('page', (page) => page.once('crash', onPageCrash));
    const tracing = plan.traces && plan.traces.left > 0 && plan.artifacts.dir;
    if (tracing) await raceAbort(context.tracing.start({ screenshots: true, snapshots: true }), abort.signal);
    const page = await raceAbort(context.newPage(), abort.signal);
    // A person on a network cohort's profile: throttled from their first request on.
    result.network = networkOf(run, plan.index);
    if (result.network) await raceAbort(throttle(context, page, result.network), abort.signal);
    // Web Vitals are a measurement, not the person's path: a browser that will not set them up
    // leaves the person without them (a browser that is gone ends the person at the first step).
    const vitals = run.vitals === false ? null : await raceAbort(VitalsWatch.attach(context, page).catch(() => null), abort.signal);
    const session: PersonSession = {
      context,
      page,
      watch,
      sink: plan.sink,
      urls: plan.urls,
      scope: { user: identity, runId: run.runId, extracted: new Map(), env: plan.env },
      signal: abort.signal,
      startedAt,
      previousStepEndedAt: startedAt,
      lastEmail: null,
      emailTimeoutMs: run.emailTimeoutMs,
      fixturesDir: plan.fixturesDir,
      matchedSelector: null,
      measuredMs: null,
      paceMs: 0,
    };
    // The window an HTTP problem is looked for in when a step fails: that step and the one that
    // led to it. A page's own request answered 5xx while its page loaded (the step before passed:
    // the page came) is the likely cause of what fails on that page next.
    let previousStepStartedAt = startedAt;
    for (const [index, step] of run.scenario.steps.entries()) {
      // A person reading the page before acting: never part of the step's time.
      const think = thinkTime(run, step);
      if (think > 0) await pause(think, abort.signal);
      plan.hooks?.beforeEachStep?.(plan.index, index);
      const stepStarted = Date.now();
      session.matchedSelector = null;
      session.measuredMs = null;
      let failure: StepFailure | null = null;
      let network: NetworkAtFailure = { pending: [], httpProblems: [] };
      try {
        await raceAbort(runStep(session, step, stepTimeout(plan, step)), abort.signal);
      } catch (error) {
        await settle(error, abort.signal, session.page);
        const seen = await within(watch.atFailure(previousStepStartedAt), RECORD_TIMEOUT_MS);
        if (seen !== 'timed out') network = seen;
        failure = classify(abort.signal.aborted ? abort.signal.reason : error, {
          ...network,
          browserConnected: context.browser()?.isConnected() ?? false,
          blockedNavigation: watch.blockedNavigation,
        });
      }
      const stepResult: PersonStepResult = {
        index,
        status: failure ? 'failed' : 'passed',
        startedAt: new Date(stepStarted).toISOString(),
        durationMs: session.measuredMs ?? Date.now() - stepStarted,
        matchedSelector: session.matchedSelector,
      };
      result.steps.push(stepResult);
      plan.hooks?.afterEachStep?.(plan.index, stepResult);
      if (failure) {
        fail(index, failure);
        result.httpProblems = network.httpProblems.map((p) => redact(p, secrets));
        await bounded(recordPage(plan, session, result, failure, secrets), RECORD_TIMEOUT_MS);
        break;
      }
      previousStepStartedAt = stepStarted;
      session.previousStepEndedAt = Date.now();
      if (PACED.has(step.type)) session.paceMs = session.previousStepEndedAt - stepStarted;
    }
    if (vitals) {
      await bounded(vitals.settle(), SETTLE_VITALS_MS);
      for (const [i, v] of vitals.byStep(result.steps.map((st) => Date.parse(st.startedAt))).entries()) if (v && result.steps[i]) result.steps[i].vitals = v;
    }
    if (result.status === 'passed') {
      result.url = session.page.isClosed() ? null : session.page.url();
      result.httpStatus = watch.lastDocumentStatus;
    }
    if (tracing) await bounded(keepTrace(plan, context, result, secrets), RECORD_TIMEOUT_MS);
  } catch (error) {
    // Failing before the first step (no browser, run stopped) is never the application's fault;
    // a browser that went away while the person's context was being set up says so.
    if (lease) await settle(error, abort.signal);
    const failure = classify(abort.signal.aborted ? abort.signal.reason : error, { pending: [], httpProblems: [], browserConnected: browser?.isConnected() ?? true });
    fail(result.steps.length, failure.failureClass === 'infrastructure' ? failure : new StepFailure('infrastructure', failure.message));
  } finally {
    clearTimeout(deadline);
    browser?.off('disconnected', onBrowserGone);
    plan.runSignal.removeEventListener('abort', onRunAbort);
    result.blocked = watch?.blocked() ?? {};
    await bounded(lease?.release(), RECORD_TIMEOUT_MS);
    result.durationMs = Date.now() - startedAt;
  }
  return result;
}

/** The pause before a step: none, the recorded one, or a fixed one, times the run's scale. */
function thinkTime(run: RunPlan, step: Step): number {
  const base = run.think === 'recorded' ? (step.pauseMs ?? 0) : typeof run.think === 'number' ? run.think : 0;
  return Math.round(base * (run.thinkScale ?? 1));
}

/** The viewport a person's browser opens at: the scenario's first setViewport, else 1280×800. */
function firstViewport(scenario: Scenario): { width: number; height: number } {
  const step = scenario.steps.find((s) => s.type === 'setViewport');
  return step?.type === 'setViewport' ? { width: step.width, height: step.height } : { width: 1280, height: 800 };
}

/**
 * Playwright's words when the page, context or browser went away under a step, and Turnout's own
 * when the page closed under its navigation wait (steps.ts `mainFrameNavigation`): for an error
 * that comes before the page's own `close` event, or before the person has a page.
 */
const TARGET_CLOSED = /has been closed|Target closed|Browser closed|browser has disconnected|page closed/i;
/** Chromium's words for a navigation its renderer died under, and Playwright's for a crashed page. */
const RENDERER_GONE = /net::ERR_ABORTED|frame was detached|crashed/i;
const DISCONNECT_GRACE_MS = 5000;
const CRASH_GRACE_MS = 2000;

/**
 * A step can fail before the report that explains it arrives. A remote browser that goes away
 * fails the step ("Target … has been closed") before its connection reports the loss: a browser
 * server closes its pages first and its connection only once Chromium has exited, which takes
 * seconds on a busy machine. A renderer that dies under a navigation fails it in the network's
 * words (`net::ERR_ABORTED`) a few milliseconds before its page reports the crash (2–10 ms here).
 * Both reports end the person's signal (`onBrowserGone`, `onPageCrash`): wait for it, at once when
 * it comes, as long as the error's words call for, so that the farm's loss is classed as the
 * farm's (`infrastructure`) and not as the application's. Only a page the site closed itself, or
 * a navigation it cut off itself (a 204, a download), pays the whole wait, once, on a person who
 * failed anyway. The person's page being closed decides, whatever the words; the words, where
 * the close has not arrived yet.
 */
async function settle(error: unknown, signal: AbortSignal, page?: Page): Promise<void> {
  if (signal.aborted) return;
  const words = error instanceof Error ? error.message : String(error);
  const grace = page?.isClosed() || TARGET_CLOSED.test(words) ? DISCONNECT_GRACE_MS : RENDERER_GONE.test(words) ? CRASH_GRACE_MS : 0;
  if (grace > 0) await pause(grace, signal);
}

/** Saves a failed person's trace while the run's cap allows; a passing person's is dropped. */
async function keepTrace(plan: PersonPlan, context: BrowserContext, result: PersonResult, secrets: readonly string[]): Promise<void> {
  const keep = result.status === 'failed' && result.errorClass !== 'infrastructure' && plan.traces!.left > 0;
  if (!keep) return void (await context.tracing.stop().catch(() => undefined));
  plan.traces!.left--;
  const dir = plan.artifacts.dir!;
  const file = join('traces', `${plan.run.runId}-person-${plan.index}.zip`);
  const path = join(dir, file);
  const saved = await mkdir(join(dir, 'traces'), { recursive: true })
    .then(() => context.tracing.stop({ path }))
    .then(() => true, (e: NodeJS.ErrnoException) => (plan.artifacts.warnings.add(`could not write traces to ${dir}: ${e.code ?? e.message}`), false));
  if (!saved) return;
  // Playwright records what was typed: the person's password and secrets go before it is kept,
  // and a trace that cannot be cleaned is not kept at all.
  if (await redactZip(path, secrets)) result.trace = file;
  else await rm(path, { force: true });
}

/** URL, last status, the page's own error text and a screenshot of where the person got stuck. */
async function recordPage(plan: PersonPlan, session: PersonSession, result: PersonResult, failure: StepFailure, secrets: readonly string[]): Promise<void> {
  const page = session.context.pages().at(-1) ?? session.page;
  result.httpStatus = session.watch.lastDocumentStatus;
  if (page.isClosed() || failure.failureClass === 'infrastructure') return;
  result.url = page.url();
  const says = await pageSays(page);
  result.pageSays = says && redact(says, secrets);
  if (!plan.artifacts.wantsScreenshot()) return;
  // A page that cannot even paint (a crashed renderer) still has its error and URL.
  const image = await page.screenshot({ timeout: SCREENSHOT_TIMEOUT_MS }).catch(() => null);
  if (image) result.screenshot = await plan.artifacts.keepScreenshot(screenshotFile(plan.run.runId, plan.index, result.failedStep), image);
}
