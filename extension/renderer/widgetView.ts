/**
 * Widgets in a notebook output (`application/vnd.tram.widget+json`, kernel/widgets/protocol.ts): draws a
 * WidgetView tree as HTML controls, posts what the user does to the extension (renderer messaging), and redraws a
 * widget in place when its new view comes back. Each widget node is found by its id, so an output area inside a
 * box updates without redrawing the rest.
 *
 *   user input   → postMessage({type: 'widget_msg', widget, action, value, kernel})
 *   {widget, view}                        → that widget's node(s) redrawn
 *   {widget, error, code: 'unknown-widget'} or {type: 'detached', kernel}  → the whole output says it is detached
 *   {widget, error, code: other}          → an error line under that widget (the control shows the kernel's value)
 */
import type { WidgetView } from '../../kernel/widgets/protocol';
import { DETACHED_TEXT } from '../../kernel/widgets/protocol';
import type { ChartConfig } from '../../kernel/charts/types';
import { ChartView } from './chartView';
import type { EditorTheme } from './editorTheme';
import { checkConfig } from './prepare';

const CHART_MIME = 'application/vnd.tram.chart+json';
export type Post = (m: unknown) => void;

interface Node {
  el: HTMLElement;
  view: WidgetView;
  chart?: ChartView;
  root: WidgetRoot;
}

const STYLE = `
.tram-widget { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground); }
.tram-widget .tram-box { display: flex; gap: 8px; margin: 4px 0; }
.tram-widget .tram-box.row { flex-direction: row; align-items: center; flex-wrap: wrap; }
.tram-widget .tram-box.column { flex-direction: column; align-items: flex-start; }
.tram-widget .tram-kind-output { align-self: stretch; max-width: 600px; }
.tram-widget .tram-title { font-weight: 600; margin: 2px 0 4px; }
.tram-widget button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: 0; padding: 4px 12px; border-radius: 2px; cursor: pointer; }
.tram-widget button:hover { background: var(--vscode-button-hoverBackground); }
.tram-widget button:disabled, .tram-widget input:disabled, .tram-widget select:disabled { opacity: 0.5; cursor: default; }
.tram-widget label { display: inline-flex; align-items: center; gap: 6px; }
.tram-widget select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); }
.tram-widget .tram-error, .tram-widget .tram-detached { color: var(--vscode-errorForeground, #f14c4c); white-space: pre-wrap; }
.tram-widget .tram-detached { font-weight: 600; border: 1px solid var(--vscode-errorForeground, #f14c4c); padding: 4px 8px; margin-bottom: 4px; }
.tram-widget .tram-log { white-space: pre-wrap; opacity: 0.8; font-family: var(--vscode-editor-font-family, monospace); }
.tram-widget .tram-busy { opacity: 0.7; }
.tram-widget table { border-collapse: collapse; }
.tram-widget td { padding: 1px 12px 1px 0; text-align: left; }
.tram-widget tr.current { font-weight: 600; }
.tram-widget img { max-width: 100%; }
`;

/** One widget output: the tree drawn from its view, and whether its kernel is gone. */
export class WidgetRoot {
  readonly el: HTMLDivElement;
  detached = false;
  private readonly banner: HTMLDivElement;
  private readonly body: HTMLDivElement;

  constructor(
    host: HTMLElement,
    readonly view: WidgetView,
    private readonly widgets: WidgetDom,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'tram-widget';
    this.el.dataset.widgetRoot = view.id;
    this.el.dataset.kernel = String(view.kernel);
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.banner = document.createElement('div');
    this.banner.className = 'tram-detached';
    this.banner.hidden = true;
    this.body = document.createElement('div');
    this.el.append(style, this.banner, this.body);
    host.replaceChildren(this.el);
    this.body.appendChild(widgets.build(view, this));
  }

  /** The kernel that made this widget is gone: say so and stop taking input. */
  detach(text = DETACHED_TEXT): void {
    this.detached = true;
    this.banner.textContent = text;
    this.banner.hidden = false;
    this.el.dataset.detached = 'true';
    for (const c of this.el.querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>('input, button, select')) c.disabled = true;
  }
}

export class WidgetDom {
  private readonly nodes = new Map<string, Set<Node>>();

  /** `trusted`: the workspace is trusted; otherwise HTML and SVG in output areas (which may come from a notebook
   *  file anyone wrote) are shown as their text, never parsed. */
  constructor(
    private readonly post: Post,
    private theme: () => EditorTheme,
    private readonly trusted: () => boolean = () => false,
  ) {}

  /** Draws an output's top-level view and asks the kernel for its current state (which also tells whether it is attached). */
  render(host: HTMLElement, view: WidgetView): WidgetRoot {
    if (!view || typeof view !== 'object' || typeof view.id !== 'string' || typeof view.kind !== 'string') {
      throw new Error('not a widget: expected a widget view {id, kind, kernel, ...}');
    }
    const root = new WidgetRoot(host, view, this);
    this.post({ type: 'widget_msg', widget: view.id, action: 'sync', kernel: view.kernel });
    return root;
  }

  /** Forgets the nodes of a root that is gone (output cleared or replaced). */
  forget(root: WidgetRoot): void {
    for (const [id, set] of this.nodes) {
      for (const n of [...set]) if (n.root === root) {
        n.chart?.dispose();
        set.delete(n);
      }
      if (set.size === 0) this.nodes.delete(id);
    }
  }

  /** A message from the extension. */
  receive(m: unknown): void {
    const msg = m as { type?: string; widget?: string; view?: WidgetView; error?: string; code?: string; kernel?: number; reason?: string };
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'detached') {
      const text = msg.reason && msg.reason !== 'the kernel restarted' ? `detached: ${msg.reason}; run the cell again` : DETACHED_TEXT;
      for (const root of this.roots()) if (root.view.kernel === msg.kernel) root.detach(text);
      return;
    }
    if (msg.type !== 'widget_msg' || typeof msg.widget !== 'string') return;
    const nodes = [...(this.nodes.get(msg.widget) ?? [])];
    if (msg.code === 'unknown-widget') {
      for (const n of nodes) n.root.detach();
      return;
    }
    if (msg.view) for (const n of nodes) this.redraw(n, msg.view);
    for (const n of nodes) this.showError(n, msg.error && msg.code !== undefined ? msg.error : undefined, true);
  }

  private roots(): Set<WidgetRoot> {
    const out = new Set<WidgetRoot>();
    for (const set of this.nodes.values()) for (const n of set) out.add(n.root);
    return out;
  }

  /** The element of one widget (and its children), registered by id. */
  build(view: WidgetView, root: WidgetRoot): HTMLElement {
    const el = document.createElement('div');
    el.className = `tram-w tram-kind-${view.kind}`;
    const node: Node = { el, view, root };
    let set = this.nodes.get(view.id);
    if (!set) this.nodes.set(view.id, (set = new Set()));
    set.add(node);
    this.fill(node, view);
    return el;
  }

  private redraw(node: Node, view: WidgetView): void {
    if (view.version < node.view.version && view.kind === node.view.kind) return; // an older view arrived late
    // A box redraws its children from their views: forget the old child nodes first.
    if (node.view.kind === 'box') this.forgetChildren(node);
    this.fill(node, view);
  }

  private forgetChildren(node: Node): void {
    for (const c of node.view.children ?? []) {
      const set = this.nodes.get(c.id);
      if (!set) continue;
      for (const n of [...set]) if (node.el.contains(n.el)) {
        if (n.view.kind === 'box') this.forgetChildren(n);
        n.chart?.dispose();
        set.delete(n);
      }
    }
  }

  private fill(node: Node, view: WidgetView): void {
    const { el } = node;
    const old = node.view;
    node.view = view;
    el.dataset.widgetId = view.id;
    el.dataset.kind = view.kind;
    el.dataset.version = String(view.version);
    el.classList.toggle('tram-busy', !!view.busy);
    if (view.busy) el.dataset.busy = 'true';
    else delete el.dataset.busy;
    const off = node.root.detached || !!view.disabled;
    switch (view.kind) {
      case 'slider': {
        let input = el.querySelector<HTMLInputElement>('input[type=range]');
        let shown = el.querySelector<HTMLSpanElement>('.tram-value');
        if (!input || !shown) {
          const label = document.createElement('label');
          label.append(document.createTextNode(view.label ?? ''));
          input = document.createElement('input');
          input.type = 'range';
          shown = document.createElement('span');
          shown.className = 'tram-value';
          const i = input;
          const s = shown;
          i.addEventListener('input', () => (s.textContent = i.value));
          i.addEventListener('change', () => this.send(node, 'set', Number(i.value)));
          label.append(input, shown);
          el.replaceChildren(label);
        }
        input.min = String(view.min);
        input.max = String(view.max);
        input.step = String(view.step);
        input.value = String(view.value);
        input.disabled = off;
        input.setAttribute('aria-label', view.label ?? 'slider');
        shown.textContent = String(view.value);
        break;
      }
      case 'select': {
        let sel = el.querySelector('select');
        if (!sel || JSON.stringify(old.options) !== JSON.stringify(view.options)) {
          const label = document.createElement('label');
          label.append(document.createTextNode(view.label ?? ''));
          sel = document.createElement('select');
          for (const o of view.options ?? []) sel.append(new Option(o, o));
          const s = sel;
          s.addEventListener('change', () => this.send(node, 'set', s.value));
          label.append(sel);
          el.replaceChildren(label);
        }
        sel.value = String(view.value);
        sel.disabled = off;
        sel.setAttribute('aria-label', view.label ?? 'select');
        break;
      }
      case 'toggle': {
        let box = el.querySelector<HTMLInputElement>('input[type=checkbox]');
        if (!box) {
          const label = document.createElement('label');
          box = document.createElement('input');
          box.type = 'checkbox';
          const b = box;
          b.addEventListener('change', () => this.send(node, 'set', b.checked));
          label.append(box, document.createTextNode(view.label ?? ''));
          el.replaceChildren(label);
        }
        box.checked = view.value === true;
        box.disabled = off;
        break;
      }
      case 'button': {
        let b = el.querySelector('button');
        if (!b) {
          b = document.createElement('button');
          b.addEventListener('click', () => this.send(node, 'click'));
          el.replaceChildren(b);
        }
        b.textContent = view.label ?? 'button';
        b.disabled = off || !!view.busy;
        break;
      }
      case 'output':
        this.fillOutput(node, view);
        break;
      case 'box': {
        const parts: HTMLElement[] = [];
        if (view.label) {
          const t = document.createElement('div');
          t.className = 'tram-title';
          t.textContent = view.label;
          parts.push(t);
        }
        const inner = document.createElement('div');
        inner.className = `tram-box ${view.direction === 'row' ? 'row' : 'column'}`;
        for (const c of view.children ?? []) inner.appendChild(this.build(c, node.root));
        parts.push(inner);
        el.replaceChildren(...parts);
        break;
      }
      default:
        el.textContent = `(a widget of unknown kind ${JSON.stringify(view.kind)})`;
    }
    this.showLog(node, view.log);
    this.showError(node, view.error, false);
  }

  private fillOutput(node: Node, view: WidgetView): void {
    const b = view.bundle ?? {};
    const el = node.el;
    const chart = b[CHART_MIME];
    if (chart && typeof chart === 'object') {
      const config = checkConfig(JSON.parse(JSON.stringify(chart)) as ChartConfig);
      if (node.chart && el.contains(node.chart.root)) {
        node.chart.update(config, this.theme());
      } else {
        const holder = document.createElement('div');
        el.replaceChildren(holder);
        node.chart = new ChartView(holder, config, this.theme());
      }
      return;
    }
    node.chart?.dispose();
    node.chart = undefined;
    const box = document.createElement('div');
    box.className = 'tram-output-content';
    const markup = this.trusted();
    if (markup && typeof b['text/html'] === 'string') box.innerHTML = b['text/html'];
    else if (typeof b['image/png'] === 'string') {
      const img = document.createElement('img');
      img.src = `data:image/png;base64,${b['image/png']}`;
      box.appendChild(img);
    } else if (markup && typeof b['image/svg+xml'] === 'string') box.innerHTML = b['image/svg+xml'];
    else {
      const pre = document.createElement('pre');
      pre.style.whiteSpace = 'pre-wrap';
      pre.textContent = String(b['text/markdown'] ?? b['text/plain'] ?? '');
      box.appendChild(pre);
    }
    el.replaceChildren(box);
  }

  private showLog(node: Node, log: string | undefined): void {
    let line = node.el.querySelector<HTMLElement>(':scope > .tram-log');
    if (!log) return line?.remove();
    if (!line) {
      line = document.createElement('div');
      line.className = 'tram-log';
      node.el.appendChild(line);
    }
    line.textContent = log;
  }

  /** `transient`: a refused message (shown until the next view of this widget), else the callback's error. */
  private showError(node: Node, error: string | undefined, transient: boolean): void {
    let line = node.el.querySelector<HTMLElement>(':scope > .tram-error');
    if (!error) {
      if (!transient) line?.remove();
      return;
    }
    if (!line) {
      line = document.createElement('div');
      line.className = 'tram-error';
      node.el.appendChild(line);
    }
    line.textContent = error;
  }

  private send(node: Node, action: 'set' | 'click', value?: unknown): void {
    if (node.root.detached) return;
    this.post({ type: 'widget_msg', widget: node.view.id, action, value, kernel: node.view.kernel });
  }
}
