// The per-step table and failure lines a release engineer reads at the end of a run.
import type { RunSummary } from '../../../schema/index.js';
import { topFailure } from '../runs/aggregate.js';
import { durationSeconds, explained, ms } from '../report/report.js';
import { networkTable, vitalsTable } from '../../../schema/present.js';


function pad(cells: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => [...(row[c] ?? '')].length)));
  return cells
    .map((row) =>
      row
        .map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function stepTable(summary: RunSummary): string {
  const rows = summary.steps.map((s) => {
    const top = topFailure(s);
    return [
      String(s.index),
      s.title.length > 48 ? `${s.title.slice(0, 47)}…` : s.title,
      String(s.reached),
      String(s.passed),
      String(s.failed),
      ms(s.p50Ms),
      ms(s.p95Ms),
      top ? `${top.failureClass} (${top.count})` : '',
    ];
  });
  return pad([['#', 'step', 'reached', 'passed', 'failed', 'p50', 'p95', 'top failure'], ...rows], new Set([0, 2, 3, 4, 5, 6]));
}

/** Step timings by network profile, in a run with network cohorts (else null). */
export function networkStepTable(summary: RunSummary): string | null {
  const table = networkTable(summary.steps);
  if (!table) return null;
  const rows = table.rows.map(([index, title, ...cells]) => [index!, title!.length > 40 ? `${title!.slice(0, 39)}…` : title!, ...cells]);
  return pad([table.header, ...rows], new Set(table.header.map((_, c) => c).filter((c) => c !== 1)));
}

/** Web Vitals per step, for the steps that measured any (else null). */
export function vitalsStepTable(summary: RunSummary): string | null {
  const table = vitalsTable(summary.steps);
  if (!table) return null;
  const rows = table.rows.map(([index, title, ...cells]) => [index!, title!.length > 40 ? `${title!.slice(0, 39)}…` : title!, ...cells]);
  return pad([table.header, ...rows], new Set(table.header.map((_, c) => c).filter((c) => c !== 1)));
}

/** One line per (step, class): "3 stuck at step 8 "receive the confirmation email": email-timeout — no email …". */
export function failureLines(summary: RunSummary): string[] {
  const lines: string[] = [];
  for (const step of summary.steps) {
    for (const [failureClass, count] of Object.entries(step.failures)) {
      const sample = summary.results.find((r) => r.failedStep === step.index && r.errorClass === failureClass);
      lines.push(`${count} stuck at step ${step.index} "${step.title}": ${failureClass} — ${explained(sample)}`);
    }
  }
  return lines;
}

export function verdict(summary: RunSummary): string {
  const { total, passed, failed, infrastructure } = summary.users;
  const seconds = durationSeconds(summary);
  const rate = total ? Math.round((passed / total) * 1000) / 10 : 0;
  const infra = infrastructure ? ` (${infrastructure} by the farm itself: infrastructure)` : '';
  const dropped = summary.users.dropped ? `, ${summary.users.dropped} dropped (could not start)` : '';
  const line = `${total} people: ${passed} passed, ${failed} failed${infra}${dropped} — ${rate} % passed in ${seconds.toFixed(1)} s`;
  const arrivals = summary.arrivals ? `\narrivals per second: ${summary.arrivals.perSecond.join(' ')}` : '';
  return line + arrivals;
}
