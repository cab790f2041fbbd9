// Worker health in a run: which samples count, when a worker is called saturated, and what the
// run summary and reports then say.
import { describe, expect, it } from 'vitest';
import { HealthSampler, RunHealth, type HealthSample } from '../../server/src/engine/health.js';
import { markdownReport } from '../../server/src/report/markdown.js';
import type { RunSummary } from '../../schema/index.js';

const sample = (worker: string, cpuPct: number, active: Record<string, number>): HealthSample => ({
  worker,
  host: worker.split(':')[0]!,
  at: Date.now(),
  cpuPct,
  memoryUsedMb: 1000 + cpuPct,
  memoryTotalMb: 8000,
  active,
  concurrency: 4,
});

describe('RunHealth', () => {
  it('calls a worker saturated after 5 s above 85 % while running this run, and says so', () => {
    const health = new RunHealth('run-1');
    for (let i = 0; i < 5; i++) health.add(sample('a:1', 90, { 'run-1': 3 }));
    for (let i = 0; i < 4; i++) health.add(sample('b:2', 95, { 'run-1': 2 }));
    for (let i = 0; i < 9; i++) health.add(sample('c:3', 99, { 'run-2': 4 })); // another run's worker
    health.add(sample('b:2', 40, { 'run-1': 1 }));
    health.countPerson('a:1');
    health.countPerson('a:1 via 10.0.0.9:3000');
    health.countPerson('b:2');
    const [a, b] = health.summary();
    expect(health.summary().map((w) => w.worker)).toEqual(['a:1', 'b:2']);
    expect(a).toMatchObject({ worker: 'a:1', people: 2, saturated: true, saturatedSeconds: 5, cpuMaxPct: 90, samples: 5 });
    expect(b).toMatchObject({ worker: 'b:2', people: 1, saturated: false, saturatedSeconds: 4, cpuAvgPct: 84, cpuMaxPct: 95, memoryUsedMaxMb: 1095 });
    expect(health.warnings()).toEqual(['worker a:1 was saturated (CPU above 85 % for 5 s, peak 90 %): its step timings are not trustworthy']);
    expect(health.concurrency()).toBe(8);
  });

  it('reads this machine’s CPU and memory', async () => {
    const seen: HealthSample[] = [];
    const sampler = new HealthSampler(() => ({ r: 1 }), (s) => seen.push(s), 2);
    sampler.start();
    const spinUntil = Date.now() + 1300;
    while (Date.now() < spinUntil); // one core busy: the reading must show it
    await new Promise((r) => setTimeout(r, 100));
    sampler.stop();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]!.cpuPct).toBeGreaterThan(0);
    expect(seen[0]!.memoryUsedMb).toBeGreaterThan(0);
    expect(seen[0]!.active).toEqual({ r: 1 });
  });

  it('puts workers and warnings in the Markdown report', () => {
    const health = new RunHealth('x');
    for (let i = 0; i < 6; i++) health.add(sample('farm-7:42', 97, { x: 1 }));
    health.countPerson('farm-7:42');
    const summary = { scenario: 's', runId: 'x', startedAt: '2026-11-27T00:00:00Z', finishedAt: '2026-11-27T00:00:10Z', users: { total: 1, passed: 1, failed: 0, infrastructure: 0 }, steps: [], results: [], workers: health.summary(), warnings: health.warnings() } as unknown as RunSummary;
    const md = markdownReport({ summary, thresholds: [], comparison: null, artifactsDir: null });
    expect(md).toContain('### Workers\n\n- ⚠️ `farm-7:42` — 1 people · CPU avg 97 %, peak 97 % · memory peak 1097 of 8000 MB · saturated 6 s: timings not trustworthy');
    expect(md).toContain('### Warnings\n\n- worker farm-7:42 was saturated');
  });
});
