// Health of the machines that run people: CPU and memory sampled once a second. A machine whose
// CPU stays above the saturation line measures itself, not the application, so the run says so.
import { cpus, freemem, hostname, totalmem } from 'node:os';
import type { WorkerHealth } from '../../../schema/index.js';

export const SATURATION_PCT = 85;
/** Above the line for this long (in all) and the machine's timings are not to be trusted. */
export const SATURATED_AFTER_S = 5;
export const HEALTH_INTERVAL_MS = 1000;

export interface HealthSample {
  worker: string;
  host: string;
  /** Epoch milliseconds. */
  at: number;
  cpuPct: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
  /** People this worker is running now, by run id. */
  active: Record<string, number>;
  /** Most people this worker runs at once. */
  concurrency: number;
}

/** This process's name on the farm: host and pid, unique while it runs. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
  }
  return { idle, total };
}

/** Samples this machine every second while started; `sample` is called with each reading. */
export class HealthSampler {
  #timer: NodeJS.Timeout | null = null;
  #last = cpuTimes();

  constructor(
    private readonly active: () => Record<string, number>,
    private readonly onSample: (sample: HealthSample) => void,
    private readonly concurrency: number,
    readonly worker = workerName(),
  ) {}

  start(): void {
    this.#last = cpuTimes();
    this.#timer ??= setInterval(() => this.onSample(this.read()), HEALTH_INTERVAL_MS);
    this.#timer.unref();
  }

  read(): HealthSample {
    const now = cpuTimes();
    const total = now.total - this.#last.total;
    const busy = total - (now.idle - this.#last.idle);
    this.#last = now;
    return {
      worker: this.worker,
      host: hostname(),
      at: Date.now(),
      cpuPct: total > 0 ? Math.round((1000 * busy) / total) / 10 : 0,
      memoryUsedMb: Math.round((totalmem() - freemem()) / 2 ** 20),
      memoryTotalMb: Math.round(totalmem() / 2 ** 20),
      active: this.active(),
      concurrency: this.concurrency,
    };
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/**
 * One run's view of its workers' health: the samples taken while each worker had people of this
 * run, the people each ran, and whether it was saturated.
 */
export class RunHealth {
  #samples = new Map<string, HealthSample[]>();
  #people = new Map<string, number>();

  constructor(readonly runId: string) {}

  add(sample: HealthSample): void {
    if (!sample.active[this.runId]) return;
    const list = this.#samples.get(sample.worker) ?? [];
    list.push(sample);
    this.#samples.set(sample.worker, list);
  }

  /** People the workers that ran this run could run at once, together. */
  concurrency(): number {
    let sum = 0;
    for (const samples of this.#samples.values()) sum += samples.at(-1)?.concurrency ?? 0;
    return sum;
  }

  countPerson(worker: string | null): void {
    const name = worker?.split(' via ')[0];
    if (name) this.#people.set(name, (this.#people.get(name) ?? 0) + 1);
  }

  summary(): WorkerHealth[] {
    const names = new Set([...this.#samples.keys(), ...this.#people.keys()]);
    return [...names].sort().map((worker) => {
      const samples = this.#samples.get(worker) ?? [];
      const cpu = samples.map((s) => s.cpuPct);
      const saturatedSeconds = Math.round((samples.filter((s) => s.cpuPct > SATURATION_PCT).length * HEALTH_INTERVAL_MS) / 1000);
      return {
        worker,
        host: samples[0]?.host ?? worker.split(':')[0]!,
        people: this.#people.get(worker) ?? 0,
        cpuAvgPct: cpu.length ? Math.round((10 * cpu.reduce((a, b) => a + b, 0)) / cpu.length) / 10 : 0,
        cpuMaxPct: cpu.length ? Math.max(...cpu) : 0,
        saturatedSeconds,
        saturated: saturatedSeconds >= SATURATED_AFTER_S,
        memoryUsedMaxMb: samples.length ? Math.max(...samples.map((s) => s.memoryUsedMb)) : 0,
        memoryTotalMb: samples[0]?.memoryTotalMb ?? 0,
        samples: samples.length,
      };
    });
  }

  /** One warning per saturated worker, for the run summary. */
  warnings(): string[] {
    return this.summary()
      .filter((w) => w.saturated)
      .map((w) => `worker ${w.worker} was saturated (CPU above ${SATURATION_PCT} % for ${w.saturatedSeconds} s, peak ${w.cpuMaxPct} %): its step timings are not trustworthy`);
  }
}
