// Prometheus metrics (prom-client) at /metrics: step durations and outcomes, labelled by scenario,
// step and outcome only — never by person or URL, which would explode the series count.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunManager } from '../runs/manager.js';

/** What the server's mail sink holds: bounded (the newest 20,000 messages, 64 MB), watched here. */
interface KeptMail {
  readonly stored: number;
  readonly storedBytes: number;
}

export function createMetrics(manager: RunManager, mail?: KeptMail): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'turnout_process_' });
  const duration = new Histogram({
    name: 'turnout_step_duration_seconds',
    help: 'How long a step took for one synthetic person (waitForEmail: send-to-receive latency)',
    labelNames: ['scenario', 'step', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const steps = new Counter({ name: 'turnout_step_results_total', help: 'Step results by outcome', labelNames: ['scenario', 'step', 'outcome'] as const, registers: [registry] });
  const people = new Counter({ name: 'turnout_people_total', help: 'Synthetic people finished, by outcome (passed or the failure class)', labelNames: ['scenario', 'outcome'] as const, registers: [registry] });
  // Web Vitals of the steps people passed (they arrive with the finished person).
  const vitalTimes = new Histogram({
    name: 'turnout_step_vital_seconds',
    help: 'Web Vitals of a step for one synthetic person who passed it: ttfb, fcp, lcp, inp',
    labelNames: ['scenario', 'step', 'vital'] as const,
    buckets: [0.1, 0.2, 0.5, 0.8, 1, 1.8, 2.5, 4, 8, 15],
    registers: [registry],
  });
  const layoutShift = new Histogram({
    name: 'turnout_step_cls',
    help: 'Cumulative Layout Shift of the page a step loaded, for one synthetic person who passed it',
    labelNames: ['scenario', 'step'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const running = new Gauge({ name: 'turnout_runs_active', help: 'Runs in progress', registers: [registry] });
  if (mail) {
    new Gauge({ name: 'turnout_mail_kept_messages', help: 'Messages the mail sink keeps in memory for inboxes (bounded)', registers: [registry], collect() { this.set(mail.stored); } });
    new Gauge({ name: 'turnout_mail_kept_bytes', help: 'Bytes of those messages as received (bounded)', registers: [registry], collect() { this.set(mail.storedBytes); } });
  }

  manager.on('stepFinished', (scenario, step, result) => {
    duration.observe({ scenario, step, outcome: result.status }, result.durationMs / 1000);
    steps.inc({ scenario, step, outcome: result.status });
  });
  manager.on('personFinished', (scenario, outcome, labels, person) => {
    people.inc({ scenario, outcome });
    for (const s of person.steps) {
      const step = labels[s.index] ?? String(s.index);
      if (s.status !== 'passed' || !s.vitals) continue;
      for (const vital of ['ttfb', 'fcp', 'lcp', 'inp'] as const) {
        const ms = s.vitals[`${vital}Ms`];
        if (ms !== undefined) vitalTimes.observe({ scenario, step, vital }, ms / 1000);
      }
      if (s.vitals.cls !== undefined) layoutShift.observe({ scenario, step }, s.vitals.cls);
    }
  });
  manager.on('started', () => running.set(manager.activeRuns));
  manager.on('finished', () => running.set(manager.activeRuns));
  return registry;
}
