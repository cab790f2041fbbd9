// Trends of one scenario across its runs: the run verdicts along the top, then one small chart per
// step (p50 and p95 over the runs, uPlot) with its pass rate and selector drift. Clicking a run,
// on the strip or on a chart, opens it.
import { LitElement, css, html, unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uPlotStyles from 'uplot/dist/uPlot.min.css?inline';
import type { ScenarioTrends } from '../../schema/api.js';
import { api } from './api.js';
import { pct } from './format.js';
import { shared } from './styles.js';

export class ToTrends extends LitElement {
  static override properties = { scenarioId: { type: String }, _trends: { state: true }, _error: { state: true } };
  static override styles = [
    shared,
    unsafeCSS(uPlotStyles),
    css`
      .strip { display: flex; gap: 3px; flex-wrap: wrap; margin: 8px 0 16px; }
      .strip a { display: inline-block; min-width: 44px; padding: 2px 4px; border-radius: 3px; color: #fff; text-align: center; font-size: 0.8rem; text-decoration: none; }
      .strip a.ok { background: #1a7f37; } .strip a.bad { background: #b3261e; }
      .steps { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
      .drifting { color: #8a4b00; font-weight: 600; }
    `,
  ];
  declare scenarioId: string;
  declare _trends: ScenarioTrends | null;
  declare _error: string;
  #plots: uPlot[] = [];

  constructor() {
    super();
    this.scenarioId = '';
    this._trends = null;
    this._error = '';
  }

  override async updated(changed: Map<string, unknown>): Promise<void> {
    if (changed.has('scenarioId') && this.scenarioId) {
      try {
        this._trends = await api.trends(this.scenarioId);
      } catch (e) {
        this._error = (e as Error).message;
      }
    }
    if (changed.has('_trends')) this.#draw();
  }

  override disconnectedCallback(): void {
    for (const p of this.#plots) p.destroy();
    this.#plots = [];
    super.disconnectedCallback();
  }

  /** One chart per step: p50 and p95 by run (x is the run's place, oldest first). */
  #draw(): void {
    for (const p of this.#plots) p.destroy();
    this.#plots = [];
    const t = this._trends;
    if (!t) return;
    const xs = t.runs.map((_, i) => i + 1);
    for (const step of t.steps) {
      const target = this.renderRoot.querySelector<HTMLElement>(`[data-chart="${step.index}"]`);
      if (!target) continue;
      const plot = new uPlot(
        {
          width: 320,
          height: 140,
          scales: { x: { time: false } },
          legend: { show: false },
          axes: [{ label: 'run' }, { label: 'ms', size: 50 }],
          series: [{}, { label: 'p50', stroke: '#1f6feb', width: 2 }, { label: 'p95', stroke: '#8a4b00', width: 1 }],
          cursor: { drag: { x: false, y: false } },
          hooks: {
            ready: [
              (u) =>
                u.over.addEventListener('click', () => {
                  const i = u.cursor.idx;
                  if (i !== null && i !== undefined && t.runs[i]) location.hash = `#/runs/${t.runs[i].id}`;
                }),
            ],
          },
        },
        [xs, step.points.map((p) => p.p50Ms), step.points.map((p) => p.p95Ms)],
        target,
      );
      this.#plots.push(plot);
    }
  }

  override render() {
    const t = this._trends;
    if (this._error) return html`<p class="error" role="alert">${this._error}</p>`;
    if (!t) return html`<p class="muted">Loading trends…</p>`;
    return html`<h2>${t.scenario.title} <span class="muted">· trends over ${t.runs.length} run(s)</span></h2>
      <nav class="strip" aria-label="Run verdicts">
        ${t.runs.map(
          (r) => html`<a href="#/runs/${r.id}" class=${r.passRate === 1 ? 'ok' : 'bad'} title=${`${new Date(r.startedAt).toLocaleString()} · ${r.status}${r.schedule ? ` · schedule ${r.schedule}` : ''}`}>${pct(r.passRate)}</a>`,
        )}
      </nav>
      <div class="steps">
        ${t.steps.map((s) => {
          const last = s.points.at(-1);
          return html`<section class="card" aria-label=${`Step ${s.index} ${s.title}`}>
            <strong>${s.index} ${s.title}</strong>
            <div class="muted">pass rate now ${pct(last?.passRate)}${s.drift ? html` · first selector ${s.drift.drifting ? html`<span class="drifting">drifting: it stopped finding the element</span>` : `served ${pct(s.drift.firstShare.at(-1))}`}` : ''}</div>
            <div data-chart=${s.index} role="img" aria-label=${`p50 and p95 of step ${s.index} by run`}></div>
          </section>`;
        })}
      </div>`;
  }
}
customElements.define('to-trends', ToTrends);
