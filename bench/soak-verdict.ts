// The soak's verdict, from its samples alone (so a stored table can be judged again, and the
// rule itself is tested: test/reliability/soak-trend.test.ts).
import { lastHalfTrend, senTrend, type Trend } from './trend.js';

/** One reading of the server and the machine, every 30 s of a soak. */
export interface Sample {
  atS: number;
  rssMb: number;
  heapMb: number;
  /** V8's committed heap, and what the process holds outside it (RSS minus that). */
  heapTotalMb: number;
  outsideMb: number;
  /** Of that, memory V8 tracks outside its heap: Buffers and other ArrayBuffers (the rest is malloc's, the stacks, the code). */
  externalMb: number;
  /** V8's committed memory by space (new_space, old_space, code_space, large_object_space…). */
  spacesMb: Record<string, number>;
  chromium: number;
  renderers: number;
  fds: number;
  dbMb: number;
  artifactsMb: number;
  /** Mail the server's sink keeps for the inboxes of the runs it keeps, as received. */
  mailMb: number;
  runs: number;
}

export const signed = (n: number, digits = 2): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const perMin = (t: Trend, unit: string): string => `${signed(t.slope)}${unit ? ` ${unit}` : ''}/min (95 % ${signed(t.low)} to ${signed(t.high)}; Mann–Kendall z ${t.z.toFixed(1)})`;

/**
 * The soak's verdict. Nothing may be left between runs, every person's outcome must match the
 * site's record, and after warm-up the Chromium count may not rise. The server's RSS is judged
 * over the last half of what follows warm-up: V8 compiles a server's hot functions for tens of
 * minutes (the `--node-flags "--no-opt"` diagnosis, without its optimizing compiler, is flat after
 * 5 minutes), so a rise that levels off is V8 warming up, and a leak is one that keeps rising to
 * the end. Mann–Kendall at 5 %, with Sen's slope; both windows are printed. Works from samples
 * alone, so a stored table can be judged again.
 */
export function judge(
  samples: readonly (Pick<Sample, 'atS' | 'rssMb' | 'heapTotalMb' | 'outsideMb' | 'chromium'> & Partial<Pick<Sample, 'spacesMb' | 'externalMb' | 'mailMb'>>)[],
  seen: { leftovers: number; wrong: number; people: number; warmUpMs: number; firstSnapshotS?: number },
): { steady: boolean; text: string } {
  // A heap snapshot leaves the server holding what V8 used to write it (about 200 MB, outside
  // its heap): the measuring, not the server. Judging starts after the first one.
  const fromS = Math.max(seen.warmUpMs / 1000, seen.firstSnapshotS ?? 0);
  const steady = samples.filter((s) => s.atS >= fromS);
  const minutes = steady.map((s) => s.atS / 60);
  const of = (values: number[]): Trend => senTrend(minutes, values);
  const [rss, heap, outside, chromium] = [of(steady.map((s) => s.rssMb)), of(steady.map((s) => s.heapTotalMb)), of(steady.map((s) => s.outsideMb)), of(steady.map((s) => s.chromium))];
  const spaces = Object.keys(steady[0]?.spacesMb ?? {})
    .map((space) => ({ space, slope: of(steady.map((s) => s.spacesMb?.[space] ?? 0)).slope }))
    .filter((sp) => Math.abs(sp.slope) >= 0.01)
    .map((sp) => `${sp.space} ${signed(sp.slope)}`)
    .join(', ');
  const external = steady.every((s) => s.externalMb !== undefined) ? of(steady.map((s) => s.externalMb!)) : null;
  const mail = steady.every((s) => s.mailMb !== undefined) ? of(steady.map((s) => s.mailMb!)) : null;
  // A leak keeps rising to the end; warm-up slows down: the last half alone tells which.
  const [lateRss, lateChromium] = [lastHalfTrend(minutes, steady.map((s) => s.rssMb)), lastHalfTrend(minutes, steady.map((s) => s.chromium))];
  const ok = !lateRss.rising && !chromium.rising && seen.leftovers === 0 && seen.wrong === 0;
  const lateSamples = minutes.filter((m) => m >= lateRss.from).length;
  const lastHalf = `Over the last half alone (minutes ${lateRss.from.toFixed(0)}–${(minutes.at(-1) ?? 0).toFixed(0)}, ${lateSamples} samples): server RSS ${perMin(lateRss, 'MB')}, Chromium processes ${perMin(lateChromium, '')}`;
  const day = (t: Trend): string => `${signed((t.slope * 60 * 24) / 1024, 1)} GB a day at that rate`;
  const judgedFrom = fromS > seen.warmUpMs / 1000 ? `${(fromS / 60).toFixed(1)} minutes (warm-up, then the first heap snapshot; ` : `${(fromS / 60).toFixed(0)} minutes (`;
  const text = `After the first ${judgedFrom}${steady.length} samples; Sen's slope with its 95 % interval, Mann–Kendall's test for a trend, |z| > 1.96 at 5 %): server RSS ${perMin(rss, 'MB')}, scatter ${rss.scatter.toFixed(1)} MB (median deviation from the line); of it, V8's committed heap ${perMin(heap, 'MB')}${spaces ? ` (by space: ${spaces})` : ''} and the rest, outside V8's heap, ${perMin(outside, 'MB')}${external ? ` (Buffers among it ${perMin(external, 'MB')})` : ''}; Chromium processes ${perMin(chromium, '')}${mail ? `; the mail the sink keeps for the inboxes of the runs kept (as received) ${perMin(mail, 'MB')}` : ''}. ${lastHalf}. Chromium processes left between runs: ${seen.leftovers}; people whose failed step or pass differs from the site's record: ${seen.wrong} of ${seen.people}.

**Verdict: ${ok ? 'steady' : 'NOT steady'}** — RSS over the last half ${lateRss.rising ? `still rising (${day(lateRss)}): not warm-up` : `shows no upward trend (a leak up to ${signed(lateRss.high)} MB/min cannot be ruled out from it)`}${rss.rising && !lateRss.rising ? `, after rising ${signed(rss.slope)} MB/min over the whole window, as warm-up does` : ''}, Chromium ${chromium.rising ? 'rising' : 'shows no upward trend'}, ${seen.leftovers === 0 ? 'nothing left between runs' : 'processes left between runs'}, ${seen.wrong === 0 ? 'every attribution matches the ground truth' : 'attributions off'}.
`;
  return { steady: ok, text };
}
