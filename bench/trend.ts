// Whether a series drifts upward, judged the way hydrologists judge decades of river levels:
// Sen's slope (the median of every pairwise slope, so one spike moves it little) with its 95 %
// interval, and the Mann–Kendall test (do later values exceed earlier ones more often than chance
// allows?). A least-squares line over a soak's samples calls a steady leak "within noise" as soon
// as a few garbage-collection peaks widen the scatter; this does not.

export interface Trend {
  /** Sen's slope: units of y per unit of x. */
  slope: number;
  /** 95 % interval of the slope (Sen's method). */
  low: number;
  high: number;
  /** Mann–Kendall's normal score; above 1.96 the series rises, below −1.96 it falls (5 % two-sided). */
  z: number;
  rising: boolean;
  falling: boolean;
  /** Median absolute deviation around the fitted line: the series' own scatter. */
  scatter: number;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const Z_95 = 1.959964;

export function senTrend(xs: readonly number[], ys: readonly number[]): Trend {
  const n = Math.min(xs.length, ys.length);
  const slopes: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx);
      s += Math.sign(ys[j]! - ys[i]!) * Math.sign(dx || 1);
    }
  }
  if (n < 3 || slopes.length === 0) return { slope: 0, low: 0, high: 0, z: 0, rising: false, falling: false, scatter: 0 };
  // Ties in y lower the variance of S (a flat series of equal readings is not a trend).
  const ties = new Map<number, number>();
  for (let i = 0; i < n; i++) ties.set(ys[i]!, (ties.get(ys[i]!) ?? 0) + 1);
  const tieTerm = [...ties.values()].reduce((a, t) => a + t * (t - 1) * (2 * t + 5), 0);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = variance > 0 ? (s - Math.sign(s)) / Math.sqrt(variance) : 0;
  slopes.sort((a, b) => a - b);
  const c = Z_95 * Math.sqrt(Math.max(variance, 0));
  const m = slopes.length;
  // Sen's ranks (from 1): M1 = (m − c) / 2 and M2 = (m + c) / 2 + 1.
  const lowAt = Math.max(0, Math.round((m - c) / 2) - 1);
  const highAt = Math.min(m - 1, Math.round((m + c) / 2));
  const slope = median(slopes);
  const intercept = median(Array.from({ length: n }, (_, i) => ys[i]! - slope * xs[i]!));
  const scatter = median(Array.from({ length: n }, (_, i) => Math.abs(ys[i]! - (intercept + slope * xs[i]!))));
  return { slope, low: slopes[lowAt]!, high: slopes[highAt]!, z, rising: z > Z_95, falling: z < -Z_95, scatter };
}

/**
 * The trend of the last half of a series (by x): a leak rises at the same pace to the end, while
 * warm-up (V8 compiling, sizing its heap) slows down, so this tells which one is under way. With
 * half the samples it sees a small slope less surely: its interval says how much.
 */
export function lastHalfTrend(xs: readonly number[], ys: readonly number[]): Trend & { from: number } {
  const from = xs.length ? (xs[0]! + xs.at(-1)!) / 2 : 0;
  const kept = xs.map((x, i) => [x, ys[i]!] as const).filter(([x]) => x >= from);
  return { ...senTrend(kept.map(([x]) => x), kept.map(([, y]) => y)), from };
}
