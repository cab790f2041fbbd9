// The soak's verdict rests on this trend test: it must call a slow leak hidden under garbage-
// collection peaks a rise, and a flat series with the same peaks steady. Series are built from a
// seeded generator, so each case is the same on every run.
import { describe, expect, it } from 'vitest';
import { judge } from '../../bench/soak-verdict.js';
import { lastHalfTrend, senTrend } from '../../bench/trend.js';

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A soak's RSS every 30 s for `minutes`: a base, a slope, scatter, and a GC peak now and then. */
function series(minutes: number, slopePerMin: number, seed: number): { xs: number[]; ys: number[] } {
  const next = random(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let t = 5; t <= minutes; t += 0.5) {
    xs.push(t);
    const peak = next() < 0.1 ? 40 + 30 * next() : 0;
    ys.push(180 + slopePerMin * t + 8 * (next() - 0.5) + peak);
  }
  return { xs, ys };
}

describe('the soak trend test', () => {
  it('calls a leak of 0.5 MB a minute under GC peaks of 40–70 MB a rise, and measures it', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { xs, ys } = series(30, 0.5, seed);
      const t = senTrend(xs, ys);
      expect(t.rising, `seed ${seed}: z ${t.z}`).toBe(true);
      expect(Math.abs(t.slope - 0.5), `seed ${seed}: slope ${t.slope}`).toBeLessThan(0.15);
      expect(t.low).toBeLessThan(t.slope);
      expect(t.high).toBeGreaterThan(t.slope);
    }
  });

  it('calls the same peaks on a flat line steady, but for the chance the test allows', () => {
    const verdicts = Array.from({ length: 40 }, (_, i) => series(30, 0, 100 + i)).map(({ xs, ys }) => senTrend(xs, ys));
    // At 5 %, about one flat series in twenty looks like a trend by chance (two of these forty).
    expect(verdicts.filter((t) => t.rising).length).toBeLessThanOrEqual(3);
    for (const t of verdicts) expect(Math.abs(t.slope)).toBeLessThan(0.3);
  });

  it('tells warm-up that levels off from a leak by the last half alone', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const xs = Array.from({ length: 51 }, (_, i) => 5 + i / 2);
      const noise = (): number => 4 * (next() - 0.5);
      // Warm-up: 12 MB more by the end, most of it in the first minutes (as V8's heap grew in the 30-minute soak).
      const warmUp = xs.map((x) => 180 + 12 * (1 - Math.exp(-(x - 5) / 3)) + noise());
      const leak = xs.map((x) => 180 + 0.5 * x + noise());
      expect(senTrend(xs, warmUp).rising, `seed ${seed}: warm-up rises over the whole window`).toBe(true);
      const settled = lastHalfTrend(xs, warmUp);
      expect(settled.from).toBe(17.5);
      expect(settled.rising, `seed ${seed}: warm-up over the last half, z ${settled.z}`).toBe(false);
      const leaking = lastHalfTrend(xs, leak);
      expect(leaking.rising, `seed ${seed}: a leak over the last half, z ${leaking.z}`).toBe(true);
      expect(Math.abs(leaking.slope - 0.5)).toBeLessThan(0.15);
    }
  });

  it('sees no trend in equal readings, and a falling series as falling', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(senTrend(xs, xs.map(() => 20))).toMatchObject({ slope: 0, rising: false, falling: false });
    expect(senTrend(xs, xs.map((x) => 100 - 3 * x))).toMatchObject({ slope: -3, rising: false, falling: true });
  });
});

/**
 * A soak's samples every 30 s for `minutes`: RSS from `rss(minute)` plus scatter, a heap
 * snapshot's 150 MB landing at minute 5.6, and `chromium(minute)` processes.
 */
function soak(minutes: number, rss: (m: number) => number, seed: number, chromium: (m: number) => number = (m) => (Math.floor(m * 2) % 3 === 0 ? 0 : 20)) {
  const next = random(seed);
  return Array.from({ length: minutes * 2 + 1 }, (_, i) => {
    const m = i / 2;
    const rssMb = rss(m) + 4 * (next() - 0.5) + (m >= 5.6 ? 150 : 0);
    return { atS: m * 60, rssMb, heapTotalMb: 100, outsideMb: rssMb - 100, chromium: chromium(m) };
  });
}
const clean = { leftovers: 0, wrong: 0, people: 2000, warmUpMs: 5 * 60_000, firstSnapshotS: 5.6 * 60 };

describe('the soak verdict', () => {
  it('calls a server steady whose RSS rises while V8 warms up and then levels off', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // 12 MB over the first half hour, as the 60-minute soak as it ships rose, then flat.
      const verdict = judge(soak(60, (m) => 390 + 12 * Math.min(m, 30) / 30, seed), clean);
      expect(verdict.steady, verdict.text).toBe(true);
      expect(verdict.text).toMatch(/\nThe same rule on the soak's first minutes alone: 30 min (NOT )?steady, 40 min (NOT )?steady, 50 min (NOT )?steady; all 60 min steady\.\n$/);
      expect(verdict.text).toMatch(/RSS rose \+0\.\d\d MB\/min and levelled off, as warm-up does \(over the last half [+-]0\.\d\d MB\/min, at most \+0\.\d\d: a faster leak is ruled out at 95 %\)/);
    }
  });

  it('calls a Chromium count steady that rose while the server got faster, but none left behind', () => {
    // Early on a slower server spends more of each 30 s between runs: more samples with no browser up.
    const warmingUp = (m: number): number => (Math.floor(m * 2) % (m < 20 ? 2 : 8) === 0 ? 0 : 20);
    const verdict = judge(soak(60, () => 390, 9, warmingUp), clean);
    expect(verdict.steady, verdict.text).toBe(true);
    expect(verdict.text).toMatch(/Chromium (shows no upward trend|rose \+\d\.\d\d\/min and levelled off, as warm-up does)/);
  });

  it('calls a leak that keeps rising to the end not steady, with its rate', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const verdict = judge(soak(60, (m) => 390 + 0.2 * m, seed), clean);
      expect(verdict.steady, verdict.text).toBe(false);
      expect(verdict.text).toMatch(/RSS rising \(\+0\.\d\d MB\/min, \+0\.\d GB a day at that rate; over the last half \+0\.\d\d MB\/min\): not warm-up/);
    }
  });

  it('does not take a last half too short to see a leak for a rise that levelled off', () => {
    // 20 minutes with a wide scatter: the last half alone rarely shows the leak beyond chance,
    // but its interval still holds the whole window's slope, so the rise has not slowed.
    const verdicts = Array.from({ length: 12 }, (_, i) => {
      const next = random(i + 1);
      const samples = Array.from({ length: 51 }, (_, k) => {
        const m = k / 2;
        const rssMb = 390 + 0.4 * m + 12 * (next() - 0.5);
        return { atS: m * 60, rssMb, heapTotalMb: 100, outsideMb: rssMb - 100, chromium: 20 };
      });
      return judge(samples, { ...clean, firstSnapshotS: undefined });
    });
    expect(verdicts.filter((v) => !v.steady).length).toBeGreaterThanOrEqual(10);
  });

  it('calls a leak that starts half-way through not steady', () => {
    for (const seed of [1, 2, 3]) {
      const verdict = judge(soak(60, (m) => 390 + 0.3 * Math.max(0, m - 30), seed), clean);
      expect(verdict.steady, verdict.text).toBe(false);
      expect(verdict.text).toContain('not warm-up');
    }
  });

  it('judges after the first heap snapshot, whose own memory is not the server’s', () => {
    const flat = soak(30, () => 390, 7);
    expect(judge(flat, clean).text).toMatch(/^After the first 5\.6 minutes \(warm-up, then the first heap snapshot; 49 samples;/);
    expect(judge(flat, clean).steady).toBe(true);
    expect(judge(flat, clean).text).toContain('RSS shows no upward trend');
  });

  it('fails a run that leaves Chromium behind, whose Chromium count rises, or whose people are misattributed', () => {
    const rss = (): number => 390;
    expect(judge(soak(30, rss, 8), { ...clean, leftovers: 1 }).steady).toBe(false);
    expect(judge(soak(30, rss, 8), { ...clean, wrong: 1 }).text).toContain('attributions off');
    const creeping = judge(soak(30, rss, 8, (m) => 20 + Math.floor(m / 3)), clean);
    expect(creeping.steady).toBe(false);
    expect(creeping.text).toMatch(/Chromium rising \(\+0\.\d\d\/min; over the last half \+0\.\d\d\/min\): not warm-up/);
  });
});

