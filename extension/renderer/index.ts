/**
 * Notebook renderer for `application/vnd.tram.chart+json`: draws the chart.js config a TRAM kernel wrote, in
 * the editor's colours, and updates it in place when the same output changes (live training curves).
 *
 * VS Code calls `renderOutputItem` for each output, and again with the same output id and element when that
 * output is replaced (display updates); `disposeOutputItem` when it goes away (no id: all of them).
 */
import type { ActivationFunction, OutputItem } from 'vscode-notebook-renderer';
import { Chart, registerables } from 'chart.js';
import { tramPlugins } from '../../kernel/charts/plugins';
import { ChartView } from './chartView';
import { readEditorTheme, watchEditorTheme, type EditorTheme } from './editorTheme';
import { checkConfig } from './prepare';

Chart.register(...registerables, ...tramPlugins((w, h) => new OffscreenCanvas(w, h)));

function showError(element: HTMLElement, item: OutputItem, err: unknown): void {
  const box = document.createElement('pre');
  box.className = 'tram-chart-error';
  box.style.color = 'var(--vscode-errorForeground, #f14c4c)';
  box.style.whiteSpace = 'pre-wrap';
  box.textContent = `Cannot draw this chart (${item.mime}): ${err instanceof Error ? err.message : String(err)}`;
  element.replaceChildren(box);
}

export const activate: ActivationFunction = () => {
  const views = new Map<string, ChartView>();
  let theme: EditorTheme = readEditorTheme();
  watchEditorTheme((next) => {
    theme = next;
    for (const view of views.values()) view.setTheme(next);
  });
  const dispose = (id: string) => {
    views.get(id)?.dispose();
    views.delete(id);
  };

  return {
    renderOutputItem(item: OutputItem, element: HTMLElement) {
      try {
        const config = checkConfig(item.json());
        const view = views.get(item.id);
        if (view && element.contains(view.root)) {
          view.update(config, theme);
          return;
        }
        if (view) dispose(item.id);
        views.set(item.id, new ChartView(element, config, theme));
      } catch (err) {
        dispose(item.id);
        showError(element, item, err);
      }
    },
    disposeOutputItem(id?: string) {
      if (id !== undefined) dispose(id);
      else for (const key of [...views.keys()]) dispose(key);
    },
  };
};
