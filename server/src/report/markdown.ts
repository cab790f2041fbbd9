// Markdown for a CI job summary ($GITHUB_STEP_SUMMARY): the verdict, the per-step table,
// thresholds, regressions and failure groups.
import { durationSeconds, explained, failureGroups, ms, pct, workerLines, type RunReport } from './report.js';
import { collapseThresholds } from './thresholds.js';
import { networkTable, vitalsTable } from '../../../schema/present.js';

// Table cells from the target site must not break the table or inject markup.
const cell = (v: unknown): string => String(v ?? '').replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');

export function markdownReport({ summary, thresholds, comparison }: RunReport): string {
  const { total, passed, failed } = summary.users;
  const breached = thresholds.filter((t) => !t.ok);
  const lines = [
    `## ${failed === 0 && breached.length === 0 ? '✅' : '❌'} ${cell(summary.scenario)}: ${passed}/${total} people passed (${pct(total ? passed / total : null)})`,
    '',
    `Run \`${summary.runId}\` · ${durationSeconds(summary).toFixed(1)} s`,
    '',
    `| # | step | reached | passed | failed | p50 | p95 | failures${comparison ? ' | vs last run' : ''} |`,
    `|---:|---|---:|---:|---:|---:|---:|---|${comparison ? '---|' : ''}`,
    ...summary.steps.map(
      (s) =>
        `| ${s.index} | ${cell(s.title)} | ${s.reached} | ${s.passed} | ${s.failed} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${cell(Object.entries(s.failures).map(([c, n]) => `${c} ${n}`).join(', '))}${comparison ? ` | ${cell(comparison.steps[s.index]?.regression ?? '')}` : ''} |`,
    ),
  ];
  for (const [title, table] of [['Step timings by network', networkTable(summary.steps)], ['Web Vitals (p50 / p95)', vitalsTable(summary.steps)]] as const) {
    if (!table) continue;
    lines.push('', `### ${title}`, '', `| ${table.header.join(' | ')} |`, `|${table.header.map((_, c) => (c === 1 ? '---' : '---:')).join('|')}|`, ...table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`));
  }
  if (thresholds.length) {
    lines.push('', '### Thresholds', '', ...collapseThresholds(thresholds).map((t) => `- ${t.ok ? '✅' : '❌'} \`${t.threshold}\` — ${cell(t.detail)}`));
  }
  const groups = failureGroups(summary);
  if (groups.length) {
    lines.push('', '### Failures', '', ...groups.map((g) => `- **${g.count}** stuck at step ${g.step.index} “${cell(g.step.title)}”: \`${g.failureClass}\` — ${cell(explained(g.sample))}`));
  }
  const workers = workerLines(summary);
  if (workers.length) lines.push('', '### Workers', '', ...workers.map((w) => `- ${w.saturated ? '⚠️' : '✅'} \`${cell(w.worker)}\` — ${cell(w.text)}`));
  if (summary.warnings?.length) lines.push('', '### Warnings', '', ...summary.warnings.map((w) => `- ${cell(w)}`));
  return `${lines.join('\n')}\n`;
}
