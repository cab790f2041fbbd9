// Arrivals in an open model: people come at a rate, phase after phase (as Artillery's phases
// do), whatever happens to those who came earlier. This module turns phases into each person's
// start time, and start times back into per-second counts for the summary.
import type { ArrivalPhase, PersonResult, RunSummary } from '../../../schema/index.js';

/** Most people one run's phases may bring (the same cap as a run's users). */
export const MAX_ARRIVALS = 100_000;

/** People a phase brings: the area under its rate, rounded down. */
function arrivalsIn(phase: ArrivalPhase): number {
  const to = phase.rampTo ?? phase.arrivalRate;
  return Math.floor(((phase.arrivalRate + to) / 2) * phase.duration + 1e-9);
}

/**
 * When each person starts, in ms after the run started. In a phase of constant rate R, person k
 * of the phase comes at k / R s; in one ramping from R0 to R1 over D s, at the t where the
 * people arrived so far, R0·t + (R1 − R0)·t² / 2D, reaches k.
 */
export function arrivalOffsets(phases: readonly ArrivalPhase[]): number[] {
  const offsets: number[] = [];
  let phaseStart = 0;
  for (const phase of phases) {
    const r0 = phase.arrivalRate;
    const r1 = phase.rampTo ?? r0;
    const d = phase.duration;
    const n = arrivalsIn(phase);
    const slope = (r1 - r0) / d;
    for (let k = 0; k < n; k++) {
      // Solve r0·t + slope·t²/2 = k for the smallest t ≥ 0.
      const t = Math.abs(slope) < 1e-12 ? k / r0 : (-r0 + Math.sqrt(r0 * r0 + 2 * slope * k)) / slope;
      offsets.push(Math.round((phaseStart + t) * 1000));
    }
    phaseStart += d;
    if (offsets.length > MAX_ARRIVALS) break;
  }
  return offsets;
}

/** Everyone the phases bring, as long as they last. */
export function phasesDurationMs(phases: readonly ArrivalPhase[]): number {
  return Math.round(phases.reduce((s, p) => s + p.duration, 0) * 1000);
}

/** How many people started in each second of the run, from their start times. */
export function perSecond(startedAtMs: readonly number[], runStartedAtMs: number, seconds: number): number[] {
  const counts = Array.from({ length: Math.max(0, Math.ceil(seconds)) }, () => 0);
  for (const at of startedAtMs) {
    const s = Math.floor((at - runStartedAtMs) / 1000);
    if (s >= 0 && s < counts.length) counts[s]!++;
  }
  return counts;
}

/** `4/s`, `240/m`, `0.5/s` → people per second; null when it is not a rate. */
export function parseRate(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|m|min|minute)\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2]!.toLowerCase().startsWith('m') ? n / 60 : n;
}

/** `15s`, `2m`, `1h`, `90` (seconds) → seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
}

/** What a run's summary says of its arrivals: people started in each second of the phases, and those dropped. */
export function arrivalsOf(phases: readonly ArrivalPhase[], results: readonly PersonResult[], runStartedAtMs: number, dropped: number): NonNullable<RunSummary['arrivals']> {
  const starts = results.map((r) => Date.parse(r.startedAt));
  return { perSecond: perSecond(starts, runStartedAtMs, phasesDurationMs(phases) / 1000), dropped };
}
