// Measuring helpers for `npm run bench`: wall and CPU time of a command with all its children,
// Chromium's memory (PSS), and medians with their spread.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runningChromium } from '../test/helpers/servers.js';

export interface Timed {
  wallMs: number;
  /** User + system CPU seconds of the command and every process it waited for (Chromium too). */
  cpuS: number;
  stdout: string;
  code: number | null;
}

/** Runs a command under bash and reads `times`: children's CPU includes the reaped browsers. */
export function timed(command: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const quoted = command.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', `${quoted} > /tmp/turnout-bench-out.txt 2>/dev/null; code=$?; times; exit $code`], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const lines = out.trim().split('\n');
      const seconds = (t: string): number => {
        const m = /(\d+)m([\d.]+)s/.exec(t);
        return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
      };
      const children = (lines.at(-1) ?? '').split(/\s+/);
      let stdout = '';
      try {
        stdout = readFileSync('/tmp/turnout-bench-out.txt', 'utf8');
      } catch {
        /* no output */
      }
      resolve({ wallMs, cpuS: seconds(children[0] ?? '') + seconds(children[1] ?? ''), stdout, code });
    });
  });
}

/** Sum of PSS (MB) of every Chromium process right now. */
export function chromiumPssMb(): number {
  let kb = 0;
  for (const { pid } of runningChromium()) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* the process ended while we looked */
    }
  }
  return kb / 1024;
}

/** Clock ticks a second of /proc's CPU times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) of the Chromium processes that run from now until stopped: sampled
 * every 100 ms, each process's last reading kept, so a process that exits loses at most its last
 * 100 ms. For browsers of this process, which `times` cannot see until they are reaped.
 */
export function chromiumCpu(): () => number {
  const ticks = new Map<string, number>();
  const sample = (): void => {
    for (const { pid } of runningChromium()) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        // After the command: state is field 3, utime 14, stime 15, starttime 22 (proc(5)).
        ticks.set(`${pid}@${fields[19]}`, Number(fields[11]) + Number(fields[12]));
      } catch {
        /* the process ended while we looked */
      }
    }
  };
  sample();
  const before = new Map(ticks);
  const timer = setInterval(sample, 100);
  return () => {
    clearInterval(timer);
    sample();
    let sum = 0;
    for (const [key, t] of ticks) sum += t - (before.get(key) ?? 0);
    return sum / USER_HZ;
  };
}

/** Samples Chromium's PSS every 250 ms until stopped; returns the peak. */
export function pssPeak(): () => number {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, chromiumPssMb())), 250);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stat(values: readonly number[]): Stat {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0] ?? NaN, max: s.at(-1) ?? NaN, n: s.length };
}

export const fmt = (s: Stat, unit = '', digits = 1): string =>
  s.n > 1 ? `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : `${s.median.toFixed(digits)}${unit}`;

export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/**
 * When and on what the benchmark measured: "2026-12-03, build 6cc6c55" ("+ changes" when the work
 * tree differs from the commit). BENCHMARKS.md does not count: a run of several sections writes
 * each into it as soon as it is measured, which would mark the sections after the first.
 */
export function measuredOn(): string {
  const day = new Date().toISOString().slice(0, 10);
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md']).toString().trim() !== '';
    return `${day}, build ${commit}${changed ? ' + changes' : ''}`;
  } catch {
    return `${day}, build unknown (no git)`;
  }
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let chromiumVersion = 'unknown';
  try {
    chromiumVersion = execFileSync('/usr/lib/chromium/chromium-headless-shell', ['--version']).toString().trim();
  } catch {
    /* not installed */
  }
  return `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux, Node ${process.version}, ${chromiumVersion}`;
}
