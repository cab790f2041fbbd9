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
 * A series rises when Mann–Kendall says so at 5 % and Sen's slope is above zero with its whole
 * 95 % interval: otherwise its slope is within noise (a Chromium count that drops to 0 between
 * runs can have more high readings late on with a slope of exactly 0).
 */
const rises = (t: Trend): boolean => t.rising && t.low > 0;

/**
 * After warm-up a series must not rise — unless the rise levels off: a last half that does not
 * rise, and whose slope's interval lies under the whole window's slope (the rise slowed beyond
 * doubt, not merely a half too short to see it). V8 compiles a server's hot functions for tens of
 * minutes (the `--node-flags "--no-opt"` diagnosis, without its optimizing compiler, is flat after
 * 5 minutes), and a server that gets faster spends more of each 30 s with its browsers up: that is
 * warm-up; a leak keeps rising to the end.
 */
function verdictOf(whole: Trend, late: Trend): 'flat' | 'levels off' | 'rising' {
  if (!rises(whole)) return 'flat';
  return !rises(late) && late.high < whole.slope ? 'levels off' : 'rising';
}

type Judged = readonly (Pick<Sample, 'atS' | 'rssMb' | 'heapTotalMb' | 'outsideMb' | 'chromium'> & Partial<Pick<Sample, 'spacesMb' | 'externalMb' | 'mailMb'>>)[];
interface Seen {
  leftovers: number;
  wrong: number;
  people: number;
  warmUpMs: number;
  /** When the first heap snapshot was written, if the soak took them. */
  firstSnapshotS?: number;
}

/**
 * The soak's verdict: the server's RSS and the Chromium count do not rise after warm-up (or the
 * rise levels off, see verdictOf), nothing is left between runs, and every person's outcome
 * matches the site's record; then the same rule on the soak's first minutes. Works from samples
 * alone, so a stored table can be judged again.
 */
export function judge(samples: Judged, seen: Seen): { steady: boolean; text: string } {
  const whole = verdict(samples, seen);
  return { steady: whole.steady, text: `${whole.text}${shorter(samples, seen, whole.steady)}` };
}

function verdict(samples: Judged, seen: Seen): { steady: boolean; text: string } {
  // A heap snapshot leaves the server holding what V8 used to write it (about 200 MB, outside
  // its heap): the measuring, not the server. Judging starts after the first one.
  const fromS = Math.max(seen.warmUpMs / 1000, seen.firstSnapshotS ?? 0);
  const judged = samples.filter((s) => s.atS >= fromS);
  const minutes = judged.map((s) => s.atS / 60);
  const of = (values: number[]): Trend => senTrend(minutes, values);
  const [rss, heap, outside, chromium] = [of(judged.map((s) => s.rssMb)), of(judged.map((s) => s.heapTotalMb)), of(judged.map((s) => s.outsideMb)), of(judged.map((s) => s.chromium))];
  const spaces = Object.keys(judged[0]?.spacesMb ?? {})
    .map((space) => ({ space, slope: of(judged.map((s) => s.spacesMb?.[space] ?? 0)).slope }))
    .filter((sp) => Math.abs(sp.slope) >= 0.01)
    .map((sp) => `${sp.space} ${signed(sp.slope)}`)
    .join(', ');
  const external = judged.every((s) => s.externalMb !== undefined) ? of(judged.map((s) => s.externalMb!)) : null;
  const mail = judged.every((s) => s.mailMb !== undefined) ? of(judged.map((s) => s.mailMb!)) : null;
  // A leak keeps rising to the end; warm-up slows down: the last half alone tells which.
  const [lateRss, lateChromium] = [lastHalfTrend(minutes, judged.map((s) => s.rssMb)), lastHalfTrend(minutes, judged.map((s) => s.chromium))];
  const [rssVerdict, chromiumVerdict] = [verdictOf(rss, lateRss), verdictOf(chromium, lateChromium)];
  const ok = rssVerdict !== 'rising' && chromiumVerdict !== 'rising' && seen.leftovers === 0 && seen.wrong === 0;
  const lateSamples = minutes.filter((m) => m >= lateRss.from).length;
  const lastHalf = `Over the last half alone (minutes ${lateRss.from.toFixed(0)}–${(minutes.at(-1) ?? 0).toFixed(0)}, ${lateSamples} samples): server RSS ${perMin(lateRss, 'MB')}, Chromium processes ${perMin(lateChromium, '')}`;
  const judgedFrom = fromS > seen.warmUpMs / 1000 ? `${(fromS / 60).toFixed(1)} minutes (warm-up, then the first heap snapshot; ` : `${(fromS / 60).toFixed(0)} minutes (`;
  const text = `After the first ${judgedFrom}${judged.length} samples; Sen's slope with its 95 % interval, Mann–Kendall's test for a trend, |z| > 1.96 at 5 %): server RSS ${perMin(rss, 'MB')}, scatter ${rss.scatter.toFixed(1)} MB (median deviation from the line); of it, V8's committed heap ${perMin(heap, 'MB')}${spaces ? ` (by space: ${spaces})` : ''} and the rest, outside V8's heap, ${perMin(outside, 'MB')}${external ? ` (Buffers among it ${perMin(external, 'MB')})` : ''}; Chromium processes ${perMin(chromium, '')}${mail ? `; the mail the sink keeps for the inboxes of the runs kept (as received) ${perMin(mail, 'MB')}` : ''}. ${lastHalf}. Chromium processes left between runs: ${seen.leftovers}; people whose failed step or pass differs from the site's record: ${seen.wrong} of ${seen.people}.

**Verdict: ${ok ? 'steady' : 'NOT steady'}** — RSS ${said(rssVerdict, rss, lateRss, 'MB')}; Chromium ${said(chromiumVerdict, chromium, lateChromium, '')}; ${seen.leftovers === 0 ? 'nothing left between runs' : 'processes left between runs'}; ${seen.wrong === 0 ? 'every attribution matches the ground truth' : 'attributions off'}.
`;
  return { steady: ok, text };
}

/**
 * The verdict on the soak's first 30, 40, 50… minutes: how long a soak on this machine must run
 * before warm-up and a leak can be told apart (a verdict that still flips is not yet one).
 */
function shorter(samples: Judged, seen: Seen, steady: boolean): string {
  const end = (samples.at(-1)?.atS ?? 0) / 60;
  const cuts: string[] = [];
  for (let m = 30; m < end - 5; m += 10) {
    cuts.push(`${m} min ${verdict(samples.filter((s) => s.atS <= m * 60), seen).steady ? 'steady' : 'NOT steady'}`);
  }
  return cuts.length === 0 ? '' : `\nThe same rule on the soak's first minutes alone: ${cuts.join(', ')}; all ${end.toFixed(0)} min ${steady ? 'steady' : 'NOT steady'}.\n`;
}

/** What the verdict says of one series. */
function said(kind: ReturnType<typeof verdictOf>, whole: Trend, late: Trend, unit: string): string {
  const rate = (t: Trend): string => `${signed(t.slope)}${unit ? ` ${unit}` : ''}/min`;
  if (kind === 'flat') return 'shows no upward trend';
  if (kind === 'levels off') return `rose ${rate(whole)} and levelled off, as warm-up does (over the last half ${rate(late)}, at most ${signed(late.high)}: a faster leak is ruled out at 95 %)`;
  const day = unit === 'MB' ? `, ${signed((whole.slope * 60 * 24) / 1024, 1)} GB a day at that rate` : '';
  return `rising (${rate(whole)}${day}; over the last half ${rate(late)}): not warm-up`;
}
