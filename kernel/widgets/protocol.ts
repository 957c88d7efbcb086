/**
 * Widget messages: the contract between a widget in an output (VS Code renderer, Jupyter comm) and its state in
 * the kernel (./registry.ts). Plain JSON, no functions.
 *
 *   output      one display of WIDGET_MIME holding a WidgetView (kind, id, state); a box holds child views
 *   host→kernel { type: 'widget_msg', widget: id, action: 'set', value }   a slider/select/toggle moved
 *               { type: 'widget_msg', widget: id, action: 'click' }        a button pressed
 *               { type: 'widget_msg', widget: id, action: 'sync' }         the current view, please (on render)
 *   kernel→host { type: 'widget_msg', widget: id, view }                   replace that widget's view in place
 *               { type: 'widget_msg', widget: id, error, code }            the message was refused (never a crash)
 *
 * `code: 'unknown-widget'` means the kernel has no widget of that id: the kernel that made it restarted or died,
 * and the output says "detached: the kernel restarted; run the cell again".
 */
import type { MimeBundle } from '../protocol';

/** The MIME type of a widget output: a WidgetView as JSON. */
export const WIDGET_MIME = 'application/vnd.tram.widget+json';

/** What the output shows when its kernel is gone (restarted, died, or a different kernel answered). */
export const DETACHED_TEXT = 'detached: the kernel restarted; run the cell again';

export type WidgetKind = 'slider' | 'select' | 'toggle' | 'button' | 'output' | 'box';

/** The state of one widget as the output draws it. */
export interface WidgetView {
  id: string;
  kind: WidgetKind;
  /** The kernel process that owns the widget (its pid). */
  kernel: number;
  /** Bumped at every change of this widget (the renderer shows the latest). */
  version: number;
  label?: string;
  /** slider: number; select: one of `options`; toggle: boolean. */
  value?: number | string | boolean;
  min?: number;
  max?: number;
  step?: number;
  options?: string[];
  /** output: what it shows (a chart, PNG, HTML, markdown or text bundle). */
  bundle?: MimeBundle;
  /** box: the children, in order; `direction` 'row' or 'column' (default). */
  children?: WidgetView[];
  direction?: 'row' | 'column';
  /** The last callback's error (shown in the widget), cleared by the next successful one. */
  error?: string;
  /** Text a callback printed (stdout/stderr), the last 2000 characters. */
  log?: string;
  /** true while a callback of this widget runs. */
  busy?: boolean;
  /** Disabled controls ignore input. */
  disabled?: boolean;
}

export type WidgetAction = 'set' | 'click' | 'sync';

export interface WidgetHostMessage {
  type: 'widget_msg';
  widget: string;
  action: WidgetAction;
  value?: unknown;
}

export type WidgetErrorCode = 'unknown-widget' | 'bad-message' | 'bad-value';

export interface WidgetKernelMessage {
  type: 'widget_msg';
  widget: string;
  view?: WidgetView;
  error?: string;
  code?: WidgetErrorCode;
}

const ACTIONS: readonly WidgetAction[] = ['set', 'click', 'sync'];

/**
 * Checks the shape of a host→kernel widget message; returns the error text naming the problem (and the
 * expected shape), or undefined when it is well formed. Values are checked by the widget (registry.ts).
 */
export function checkWidgetMessage(m: unknown): string | undefined {
  const shape = "expected {type: 'widget_msg', widget: '<id>', action: 'set' | 'click' | 'sync', value?}";
  if (!m || typeof m !== 'object' || Array.isArray(m)) return `a widget message must be an object: ${shape}`;
  const o = m as Record<string, unknown>;
  if (o.type !== 'widget_msg') return `not a widget message (type ${JSON.stringify(o.type)}): ${shape}`;
  if (typeof o.widget !== 'string' || !o.widget) return `widget must be a non-empty string id: ${shape}`;
  if (typeof o.action !== 'string' || !ACTIONS.includes(o.action as WidgetAction)) {
    return `unknown widget action ${JSON.stringify(o.action)}: ${shape}`;
  }
  if (o.action === 'set' && !('value' in o)) return `action 'set' needs a value: ${shape}`;
  return undefined;
}
