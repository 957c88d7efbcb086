/**
 * Widgets over Jupyter comms (kernel/widgets/protocol.ts mapped onto the Jupyter messaging spec):
 *
 *   a widget output shown by a cell   → iopub comm_open {comm_id: widget id, target_name: 'tram.widget', data: {view}}
 *                                       for the widget and each widget inside it (a box's children)
 *   shell comm_msg {comm_id, data: {action, value?}}  → the kernel's widget message for that widget (the comm's widget)
 *   kernel widget_msg {widget, view | error, code}    → iopub comm_msg {comm_id, data: {view | error, code}} on every
 *                                                       open comm of that widget
 *   shell comm_open {target_name: 'tram.widget', data: {widget: id}}  → a front end attaching to a widget: answered
 *                                       with its view, or comm_close {error, code: 'unknown-widget'} when this kernel
 *                                       did not make it (it restarted): the output is detached
 *   shell comm_close {comm_id}        → that comm gets no more messages
 *   shell comm_info_request           → comm_info_reply listing the open 'tram.widget' comms
 * Malformed comm messages are answered on the comm (or logged), never fatal.
 */
import { WIDGET_MIME, type WidgetKernelMessage, type WidgetView } from '../widgets/protocol';

export const COMM_TARGET = 'tram.widget';
export const COMM_TYPES = new Set(['comm_open', 'comm_msg', 'comm_close', 'comm_info_request']);

/** What we use of a parsed Jupyter message (tslab's ZmqMessage). */
export interface CommMsg {
  header: { msg_type: string; msg_id: string };
  content: Record<string, unknown>;
  createReply(): CommMsg;
  signAndSend(key: string, sock: unknown): void;
}

export interface CommIo {
  /** Publishes on iopub with `parent` as the parent header. */
  publish(parent: CommMsg, type: string, content: unknown): void;
  /** Answers a shell request. */
  reply(sock: unknown, request: CommMsg, type: string, content: unknown): void;
  /** Hands a widget message to the kernel runtime. */
  toKernel(m: unknown): void;
  log(text: string): void;
}

export class CommBridge {
  /** comm id → widget id, for every open comm. */
  private readonly comms = new Map<string, string>();
  /** The message whose answer a widget's next comm_msg is (its parent header). */
  private readonly parents = new Map<string, CommMsg>();

  constructor(private readonly io: CommIo) {}

  /** A cell showed `data`: open a comm for each widget in it (not twice). */
  shown(parent: CommMsg, data: Record<string, unknown>): void {
    const view = data[WIDGET_MIME] as WidgetView | undefined;
    if (!view || typeof view !== 'object') return;
    const walk = (v: WidgetView) => {
      if (!v || typeof v.id !== 'string') return;
      this.parents.set(v.id, parent);
      if (!this.comms.has(v.id)) {
        this.comms.set(v.id, v.id);
        this.io.publish(parent, 'comm_open', { comm_id: v.id, target_name: COMM_TARGET, data: { view: v }, metadata: {} });
      }
      for (const c of v.children ?? []) walk(c);
    };
    walk(view);
  }

  /** A widget message from the kernel: sent on every open comm of that widget. */
  fromKernel(m: WidgetKernelMessage, fallbackParent: CommMsg | undefined): void {
    const parent = this.parents.get(m.widget) ?? fallbackParent;
    if (!parent) return;
    const data: Record<string, unknown> = {};
    if (m.view) data.view = m.view;
    if (m.error !== undefined) data.error = m.error;
    if (m.code !== undefined) data.code = m.code;
    let sent = false;
    for (const [comm, widget] of this.comms) {
      if (widget !== m.widget) continue;
      this.io.publish(parent, 'comm_msg', { comm_id: comm, data });
      sent = true;
    }
    // A message to a comm this kernel never opened (an unknown id) is answered on that id all the same.
    if (!sent && m.code) this.io.publish(parent, 'comm_msg', { comm_id: m.widget, data });
    if (m.code === 'unknown-widget') {
      for (const [comm, widget] of [...this.comms]) {
        if (widget !== m.widget) continue;
        this.comms.delete(comm);
        this.io.publish(parent, 'comm_close', { comm_id: comm, data });
      }
    }
  }

  /** A shell message of COMM_TYPES. */
  handle(sock: unknown, msg: CommMsg): void {
    const c = msg.content ?? {};
    const commId = typeof c.comm_id === 'string' ? c.comm_id : '';
    switch (msg.header.msg_type) {
      case 'comm_info_request': {
        const comms: Record<string, { target_name: string }> = {};
        for (const id of this.comms.keys()) comms[id] = { target_name: COMM_TARGET };
        const want = c.target_name;
        this.io.reply(sock, msg, 'comm_info_reply', { status: 'ok', comms: want === undefined || want === COMM_TARGET ? comms : {} });
        return;
      }
      case 'comm_open': {
        const data = (c.data ?? {}) as { widget?: unknown };
        if (c.target_name !== COMM_TARGET || !commId) {
          this.io.publish(msg, 'comm_close', { comm_id: commId, data: { error: `unknown comm target ${JSON.stringify(c.target_name)}: this kernel serves '${COMM_TARGET}'` } });
          return;
        }
        const widget = typeof data.widget === 'string' ? data.widget : commId;
        this.comms.set(commId, widget);
        this.parents.set(widget, msg);
        this.io.toKernel({ type: 'widget_msg', widget, action: 'sync' });
        return;
      }
      case 'comm_msg': {
        const widget = this.comms.get(commId) ?? commId;
        this.parents.set(widget, msg);
        const data = c.data;
        if (!data || typeof data !== 'object' || Array.isArray(data)) {
          this.io.publish(msg, 'comm_msg', { comm_id: commId, data: { error: "a widget comm message's data must be {action: 'set' | 'click' | 'sync', value?}", code: 'bad-message' } });
          return;
        }
        this.io.toKernel({ ...(data as object), type: 'widget_msg', widget });
        return;
      }
      case 'comm_close':
        this.comms.delete(commId);
        return;
      default:
        this.io.log(`tram kernel: unexpected comm message ${msg.header.msg_type}\n`);
    }
  }
}
