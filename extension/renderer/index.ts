/**
 * Notebook renderer for `application/vnd.tram.chart+json`: draws the chart.js config a TRAM kernel wrote, in
 * the editor's colours, and updates it in place when the same output changes (live training curves).
 * Also draws widgets (`application/vnd.tram.widget+json`, ./widgetView.ts), which talk to the kernel through
 * renderer messaging.
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
import { WidgetDom, type WidgetRoot } from './widgetView';
import { WIDGET_MIME, type WidgetView } from '../../kernel/widgets/protocol';

Chart.register(...registerables, ...tramPlugins((w, h) => new OffscreenCanvas(w, h)));

function showError(element: HTMLElement, item: OutputItem, err: unknown): void {
  const box = document.createElement('pre');
  box.className = 'tram-chart-error';
  box.style.color = 'var(--vscode-errorForeground, #f14c4c)';
  box.style.whiteSpace = 'pre-wrap';
  box.textContent = `Cannot draw this chart (${item.mime}): ${err instanceof Error ? err.message : String(err)}`;
  element.replaceChildren(box);
}

export const activate: ActivationFunction = (context) => {
  const views = new Map<string, ChartView>();
  let theme: EditorTheme = readEditorTheme();
  watchEditorTheme((next) => {
    theme = next;
    for (const view of views.values()) view.setTheme(next);
  });
  const widgets = new WidgetDom((m) => context.postMessage?.(m), () => theme, () => context.workspace?.isTrusted === true);
  context.onDidReceiveMessage?.((m: unknown) => widgets.receive(m));
  const roots = new Map<string, WidgetRoot>();
  const dispose = (id: string) => {
    views.get(id)?.dispose();
    views.delete(id);
    const root = roots.get(id);
    if (root) widgets.forget(root);
    roots.delete(id);
  };

  return {
    renderOutputItem(item: OutputItem, element: HTMLElement) {
      if (item.mime === WIDGET_MIME) {
        try {
          dispose(item.id);
          roots.set(item.id, widgets.render(element, item.json() as WidgetView));
        } catch (err) {
          showError(element, item, err);
        }
        return;
      }
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
