// People passed and failed over the run's time, drawn with uPlot from the live snapshots.
import { LitElement, css, html, unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uPlotStyles from 'uplot/dist/uPlot.min.css?inline';

export class ToProgressChart extends LitElement {
  static override styles = [css`:host { display: block; min-height: 200px; }`, unsafeCSS(uPlotStyles)];
  #plot: uPlot | null = null;
  #data: [number[], number[], number[]] = [[], [], []];

  /** Replaces the series, e.g. rebuilt from a finished run's people. */
  reset(points: [number, number, number][]): void {
    this.#data = [points.map((p) => p[0]), points.map((p) => p[1]), points.map((p) => p[2])];
    this.#plot?.setData(this.#data);
  }

  /** Adds a point (seconds since start, passed, failed) and redraws. */
  add(seconds: number, passed: number, failed: number): void {
    const [t, p, f] = this.#data;
    if (t.length && t[t.length - 1] === seconds) return;
    t.push(seconds);
    p.push(passed);
    f.push(failed);
    this.#plot?.setData(this.#data);
  }

  override firstUpdated(): void {
    const target = this.renderRoot.querySelector('div')!;
    this.#plot = new uPlot(
      {
        width: Math.max(320, target.clientWidth || 600),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'seconds' }, { label: 'people' }],
        series: [{ label: 's' }, { label: 'passed', stroke: '#1a7f37', width: 2 }, { label: 'failed', stroke: '#b3261e', width: 2 }],
      },
      this.#data,
      target,
    );
  }

  override disconnectedCallback(): void {
    this.#plot?.destroy();
    this.#plot = null;
    super.disconnectedCallback();
  }

  override render() {
    return html`<div role="img" aria-label="People passed and failed over time"></div>`;
  }
}
customElements.define('to-progress-chart', ToProgressChart);
