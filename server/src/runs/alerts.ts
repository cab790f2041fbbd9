// Alerts of a schedule: when a scheduled run breaks (a threshold breached, a regression against the
// schedule's previous run, the farm itself failing) and once when it recovers, a JSON message is
// posted to each of the schedule's alerts — a generic webhook body, or a Slack-compatible one.
// Delivery retries with backoff (p-retry) under a timeout per attempt; what happened is kept. A
// URL may carry a secret: it is never printed, stored (when given as {{secret.NAME}}) or shown.
import pRetry, { AbortError } from 'p-retry';
import type { AlertTarget, RunSummary, ScheduleVerdict } from '../../../schema/index.js';
import { explained, failureGroups } from '../report/report.js';

export type AlertEvent = 'breach' | 'recovery';

/** The generic webhook body: everything a receiver needs to say what broke, where, and why. */
export interface AlertBody {
  event: AlertEvent;
  scenario: string;
  schedule: string;
  run: { id: string; link: string; startedAt: string; finishedAt: string | null };
  verdict: ScheduleVerdict & { people: RunSummary['users'] };
  /** The largest failure groups: step, class, how many, and the page's own words where it had any. */
  topFailures: { step: number; title: string; class: string; count: number; error: string; pageSays: string | null }[];
}

const TOP_FAILURES = 5;

export function alertBody(event: AlertEvent, schedule: string, summary: RunSummary, verdict: ScheduleVerdict, link: string): AlertBody {
  const groups = failureGroups(summary).sort((a, b) => b.count - a.count).slice(0, TOP_FAILURES);
  return {
    event,
    scenario: summary.scenario,
    schedule,
    run: { id: summary.runId, link, startedAt: summary.startedAt, finishedAt: summary.finishedAt },
    verdict: { ...verdict, people: summary.users },
    topFailures: groups.map((g) => ({
      step: g.step.index,
      title: g.step.title,
      class: g.failureClass,
      count: g.count,
      error: explained(g.sample),
      pageSays: g.sample?.pageSays ?? null,
    })),
  };
}

/** The same message as Slack's incoming webhooks take it: `text` (the fallback) and `blocks`. */
export function slackBody(body: AlertBody): { text: string; blocks: unknown[] } {
  const users = body.verdict.people;
  const head =
    body.event === 'recovery'
      ? `✅ ${body.scenario} recovered: ${users.passed}/${users.total} people passed`
      : `❌ ${body.scenario} broke: ${users.failed} of ${users.total} people failed`;
  const why = [
    ...body.verdict.failedThresholds.map((t) => `threshold breached: ${t}`),
    ...(body.verdict.regressions ? [`${body.verdict.regressions} step(s) regressed against the previous run`] : []),
    ...(body.verdict.farmFailed ? ['the farm itself failed (every person infrastructure)'] : []),
  ];
  const failures = body.topFailures.map((f) => `• ${f.count} stuck at step ${f.step} “${f.title}”: ${f.class} — ${f.error}`);
  const text = [`${head} (schedule ${body.schedule}, run ${body.run.id})`, ...why, ...failures].join('\n');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${head}*\n<${body.run.link}|run ${body.run.id}> · schedule ${body.schedule}` } },
      ...(why.length ? [{ type: 'section', text: { type: 'mrkdwn', text: why.join('\n') } }] : []),
      ...(failures.length ? [{ type: 'section', text: { type: 'mrkdwn', text: failures.join('\n') } }] : []),
    ],
  };
}

/** Where an alert goes, as it may be shown: a secret's name, or a URL's origin alone. */
export function alertTargetLabel(target: AlertTarget): string {
  const secret = /^\{\{secret\.(\w+)\}\}$/.exec(target.url);
  if (secret) return `{{secret.${secret[1]}}}`;
  try {
    return new URL(target.url).origin;
  } catch {
    return '(not a URL)';
  }
}

export interface Delivery {
  delivered: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
}

export interface DeliveryOptions {
  env: NodeJS.ProcessEnv;
  /** Tries after the first (default 3), waiting 0.5 s, 1 s, 2 s… between them. */
  retries?: number;
  minTimeoutMs?: number;
  /** Longest wait for one answer (default 5 s). */
  timeoutMs?: number;
}

/** Posts the alert, retrying a failure or a 5xx/429; a 4xx otherwise is final. Never throws. */
export async function deliver(target: AlertTarget, body: AlertBody, options: DeliveryOptions): Promise<Delivery> {
  const secret = /^\{\{secret\.(\w+)\}\}$/.exec(target.url)?.[1];
  const url = secret ? options.env[secret] : target.url;
  if (!url) return { delivered: false, attempts: 0, status: null, error: `${secret} is not set in the server's environment` };
  const payload = JSON.stringify(target.kind === 'slack' ? slackBody(body) : body);
  let attempts = 0;
  let status: number | null = null;
  try {
    await pRetry(
      async () => {
        attempts++;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Turnout alerts' },
          body: payload,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        status = response.status;
        await response.body?.cancel();
        if (response.ok) return;
        const error = new Error(`the receiver answered ${response.status}`);
        if (response.status >= 500 || response.status === 429) throw error;
        throw new AbortError(error);
      },
      { retries: options.retries ?? 3, minTimeout: options.minTimeoutMs ?? 500, factor: 2 },
    );
    return { delivered: true, attempts, status, error: null };
  } catch (error) {
    // Never the URL: an error from fetch may quote it.
    const message = (error as Error).message.split(url).join(alertTargetLabel(target));
    return { delivered: false, attempts, status, error: message.slice(0, 300) };
  }
}
