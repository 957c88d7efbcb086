/**
 * One chart in one notebook output: a canvas with a chart.js Chart that later outputs of the same id update in
 * place (new data, `update('none')`: no animation, no new canvas, so live training curves do not flicker).
 */
import { Chart } from 'chart.js';
import { applyTheme } from '../../kernel/charts/theme';
import type { ChartConfig } from '../../kernel/charts/types';
import type { EditorTheme } from './editorTheme';
import { pointCount, prepareConfig } from './prepare';

export class ChartView {
  /** The element holding the canvas; the renderer puts it in the output's element. */
  readonly root: HTMLDivElement;
  private readonly _canvas: HTMLCanvasElement;
  private _chart: Chart;
  private _config: ChartConfig;
  private _renders = 0;
  private _points = 0;

  /** Draws `config` into `host`, replacing whatever the host held (VS Code may reuse an output's element). */
  constructor(host: HTMLElement, config: ChartConfig, theme: EditorTheme) {
    this.root = document.createElement('div');
    this.root.className = 'tram-chart';
    this.root.style.position = 'relative';
    this.root.style.width = '100%';
    this.root.style.maxWidth = '900px';
    this._canvas = document.createElement('canvas');
    this._canvas.setAttribute('role', 'img');
    this.root.appendChild(this._canvas);
    // Attach before drawing so chart.js sizes the chart to the output's width at once.
    host.replaceChildren(this.root);
    this._points = pointCount(config);
    this._config = prepareConfig(config, theme);
    this._chart = new Chart(this._canvas, this._config as never);
    this._stamp(theme);
  }

  /** Replaces data and options and redraws the same Chart without animation. */
  update(config: ChartConfig, theme: EditorTheme): void {
    this._points = pointCount(config);
    const next = prepareConfig(config, theme);
    if (next.type !== this._config.type) {
      // A different chart type cannot be morphed: draw a new Chart on the same canvas.
      this._chart.destroy();
      this._config = next;
      this._chart = new Chart(this._canvas, next as never);
    } else {
      this._config = next;
      this._chart.data.labels = next.data.labels;
      this._chart.data.datasets = next.data.datasets as never;
      this._chart.options = next.options as never;
      this._chart.update('none');
    }
    this._stamp(theme);
  }

  /** Redraws with the editor's new colours. */
  setTheme(theme: EditorTheme): void {
    applyTheme(this._config.options, theme);
    this._chart.options = this._config.options as never;
    this._chart.update('none');
    this._stamp(theme);
  }

  dispose(): void {
    this._chart.destroy();
    this.root.remove();
  }

  /** State for end-to-end checks: renders so far, points in the output, points drawn after decimation, theme. */
  private _stamp(theme: EditorTheme): void {
    this._renders++;
    this.root.dataset.renders = String(this._renders);
    this.root.dataset.points = String(this._points);
    // chart.js's decimation swaps each long dataset's `data` for its thinned copy.
    this.root.dataset.drawnPoints = String(this._chart.data.datasets.reduce((n, d) => n + d.data.length, 0));
    this.root.dataset.theme = theme.kind;
    this._canvas.setAttribute('aria-label', String((this._config.options as { plugins?: { title?: { text?: unknown } } }).plugins?.title?.text ?? 'chart'));
  }
}
