// The HTML report: one folder that opens from disk (index.html, inline CSS and SVG, screenshots
// copied beside it). Everything that came from the target site is escaped: it is text here.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { durationSeconds, explained, failureGroups, ms, pct, workerLines, type RunReport } from './report.js';
import { collapseThresholds } from './thresholds.js';
import { networkTable, vitalsTable } from '../../../schema/present.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;margin:24px auto;max-width:1100px;padding:0 16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #d8dde3;vertical-align:top}
th{background:#eef1f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.passed{color:#1a7f37}.failed{color:#b3261e}.card{border:1px solid #d8dde3;border-radius:6px;padding:10px 14px;margin:10px 0}
img{max-width:420px;border:1px solid #d8dde3;display:block;margin-top:6px}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}`;

/** p50 and p95 per step as horizontal bars. */
function timingChart(report: RunReport): string {
  const steps = report.summary.steps;
  const max = Math.max(1, ...steps.map((s) => s.p95Ms ?? 0));
  const row = 22;
  const width = 640;
  const bars = steps
    .map((s, i) => {
      const y = i * row;
      const w50 = ((s.p50Ms ?? 0) / max) * (width - 320);
      const w95 = ((s.p95Ms ?? 0) / max) * (width - 320);
      return `<text x="0" y="${y + 15}" font-size="12">${esc(`${s.index} ${s.title}`.slice(0, 34))}</text>
<rect x="240" y="${y + 4}" width="${w95.toFixed(1)}" height="14" fill="#9cc3ea"><title>p95 ${esc(ms(s.p95Ms))}</title></rect>
<rect x="240" y="${y + 8}" width="${w50.toFixed(1)}" height="6" fill="#0b5cad"><title>p50 ${esc(ms(s.p50Ms))}</title></rect>
<text x="${(244 + w95).toFixed(1)}" y="${y + 15}" font-size="11">${esc(ms(s.p95Ms))}</text>`;
    })
    .join('\n');
  return `<svg role="img" aria-label="p50 (dark) and p95 (light) duration per step" width="${width}" height="${steps.length * row}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

/** A table of text cells (network split, Web Vitals), numbers right-aligned; nothing without one. */
function tableHtml(title: string, table: { header: string[]; rows: string[][] } | null): string {
  if (!table) return '';
  const head = table.header.map((h, c) => `<th${c === 1 ? '' : ' class="n"'}>${esc(h)}</th>`).join('');
  const rows = table.rows.map((r) => `<tr>${r.map((v, c) => `<td${c === 1 ? '' : ' class="n"'}>${esc(v)}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${esc(title)}</h2><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

export async function writeHtmlReport(report: RunReport, dir: string): Promise<string> {
  const { summary, thresholds, comparison } = report;
  await mkdir(join(dir, 'screenshots'), { recursive: true });
  const groups = failureGroups(summary);
  const shots = new Map<string, string>();
  for (const g of groups) {
    const shot = g.sample?.screenshot;
    if (!shot || !report.artifactsDir) continue;
    const local = join('screenshots', basename(shot));
    // A screenshot that cannot be copied (disk full, deleted) leaves its message in place.
    if (await copyFile(join(report.artifactsDir, shot), join(dir, local)).then(() => true, () => false)) shots.set(shot, local);
  }
  const { total, passed, failed } = summary.users;
  const stepRows = summary.steps
    .map((s) => {
      const delta = comparison?.steps[s.index];
      return `<tr><td class="n">${s.index}</td><td>${esc(s.title)}</td><td class="n">${s.reached}</td><td class="n passed">${s.passed}</td><td class="n failed">${s.failed}</td>
<td class="n">${esc(ms(s.p50Ms))}</td><td class="n">${esc(ms(s.p95Ms))}</td><td>${esc(Object.entries(s.failures).map(([c, n]) => `${c} ${n}`).join(', '))}</td>
${comparison ? `<td class="n">${esc(ms(delta?.previousP95Ms))}</td><td class="${delta?.regression ? 'failed' : ''}">${esc(delta?.regression ?? '')}</td>` : ''}</tr>`;
    })
    .join('\n');
  const groupCards = groups
    .map((g) => {
      const local = g.sample?.screenshot ? shots.get(g.sample.screenshot) : undefined;
      return `<section class="card"><strong class="failed">${g.count} stuck at step ${g.step.index} “${esc(g.step.title)}”: ${esc(g.failureClass)}</strong>
<div>${esc(explained(g.sample))}</div><div>${esc(g.sample?.url)}${g.sample?.httpStatus ? ` · HTTP ${g.sample.httpStatus}` : ''}</div>
${local ? `<img src="${esc(local)}" alt="Screenshot of person ${esc(g.sample?.user)} at the failure">` : ''}</section>`;
    })
    .join('\n');
  const workerRows = workerLines(summary).map((w) => `<tr><td>${esc(w.worker)}</td><td class="${w.saturated ? 'failed' : ''}">${esc(w.text)}</td></tr>`).join('\n');
  const thresholdRows = collapseThresholds(thresholds).map((t) => `<tr><td>${esc(t.threshold)}</td><td class="${t.ok ? 'passed' : 'failed'}">${t.ok ? 'held' : 'breached'}</td><td>${esc(t.detail)}</td></tr>`).join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(summary.scenario)} — Turnout run ${esc(summary.runId)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head><body>
<h1>${esc(summary.scenario)}</h1>
<p>Run ${esc(summary.runId)} · ${esc(new Date(summary.startedAt).toUTCString())} · ${durationSeconds(summary).toFixed(1)} s ·
<strong>${total} people: <span class="passed">${passed} passed</span>, <span class="failed">${failed} failed</span></strong> (${esc(pct(total ? passed / total : null))})</p>
${thresholds.length ? `<h2>Thresholds</h2><table><thead><tr><th>Threshold</th><th>Verdict</th><th>Measured</th></tr></thead><tbody>${thresholdRows}</tbody></table>` : ''}
<h2>Steps</h2>
<table><thead><tr><th class="n">#</th><th>Step</th><th class="n">Reached</th><th class="n">Passed</th><th class="n">Failed</th><th class="n">p50</th><th class="n">p95</th><th>Failures</th>
${comparison ? `<th class="n">p95 before</th><th>Regression vs ${esc(comparison.previous)}</th>` : ''}</tr></thead><tbody>${stepRows}</tbody></table>
${tableHtml('Step timings by network', networkTable(summary.steps))}
${tableHtml('Web Vitals (p50 / p95 of the people who passed)', vitalsTable(summary.steps))}
<h2>Time per step</h2>${timingChart(report)}
<h2>Failures</h2>${groupCards || '<p>No failures.</p>'}
${workerRows ? `<h2>Workers</h2><table><thead><tr><th>Worker</th><th>Health</th></tr></thead><tbody>${workerRows}</tbody></table>` : ''}
${summary.warnings?.length ? `<h2>Warnings</h2><ul>${summary.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
</body></html>`;
  const file = join(dir, 'index.html');
  await writeFile(file, html);
  return file;
}
