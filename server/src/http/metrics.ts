// Prometheus metrics (prom-client) at /metrics: step durations and outcomes, labelled by scenario,
// step and outcome only — never by person or URL, which would explode the series count.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunManager } from '../runs/manager.js';

export function createMetrics(manager: RunManager): Registry {
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
  const running = new Gauge({ name: 'turnout_runs_active', help: 'Runs in progress', registers: [registry] });

  manager.on('stepFinished', (scenario, step, result) => {
    duration.observe({ scenario, step, outcome: result.status }, result.durationMs / 1000);
    steps.inc({ scenario, step, outcome: result.status });
  });
  manager.on('personFinished', (scenario, outcome) => people.inc({ scenario, outcome }));
  manager.on('started', () => running.set(manager.activeRuns));
  manager.on('finished', () => running.set(manager.activeRuns));
  return registry;
}
