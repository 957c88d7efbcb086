/**
 * Widgets between the notebook renderer and the kernel: renderer messaging (`tram-chart-renderer`, which draws
 * `application/vnd.tram.widget+json`) on one side, the notebook's KernelSession on the other.
 *
 *   renderer → here: {type: 'widget_msg', widget, action, value?, kernel}  forwarded to the notebook's kernel when
 *                    `kernel` (the pid that made the widget) is the kernel running now; otherwise answered at once
 *                    with code 'unknown-widget' (the output then says it is detached)
 *   kernel → renderer: every `widget_msg` of a session (views, refusals), posted to the editors of its notebook
 *   when a kernel goes (restart, death, shutdown): {type: 'detached', kernel: pid, reason} to those editors
 */
import * as vscode from 'vscode';
import type { TramController } from './controller';
import type { KernelSession } from './kernelSession';
import { DETACHED_TEXT, type WidgetHostMessage } from '../kernel/widgets/protocol';

export const RENDERER_ID = 'tram-chart-renderer';

export class WidgetBridge implements vscode.Disposable {
  private readonly messaging: vscode.NotebookRendererMessaging;
  private readonly disposables: vscode.Disposable[] = [];
  /** Sessions listened to, with the pid of the kernel they last ran. */
  private readonly known = new Map<KernelSession, { pid: number | undefined }>();

  constructor(private readonly controller: TramController, private readonly log?: vscode.OutputChannel) {
    this.messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
    this.disposables.push(
      this.messaging.onDidReceiveMessage(({ editor, message }) => this.fromRenderer(editor, message)),
      controller.onDidChangeSession((s) => {
        for (const session of s ? [s] : controller.allSessions()) this.watch(session);
      }),
    );
  }

  private editorsOf(session: KernelSession): vscode.NotebookEditor[] {
    return vscode.window.visibleNotebookEditors.filter((e) => this.controller.sessionOf(e.notebook) === session);
  }

  private post(session: KernelSession, message: unknown): void {
    const editors = this.editorsOf(session);
    for (const e of editors) void this.messaging.postMessage(message, e);
  }

  /** Listens to a session's widget messages once, and tells its widgets when its kernel goes. */
  private watch(session: KernelSession): void {
    let entry = this.known.get(session);
    if (!entry) {
      entry = { pid: undefined };
      this.known.set(session, entry);
      this.disposables.push(session.onWidgetMessage((m) => this.post(session, m)));
    }
    const pid = session.kernelPid;
    if (entry.pid !== undefined && entry.pid !== pid) {
      const reason = session.state === 'dead' ? 'the kernel died' : session.state === 'stopped' ? 'the kernel was shut down' : 'the kernel restarted';
      this.post(session, { type: 'detached', kernel: entry.pid, reason });
      this.log?.appendLine(`widgets of kernel ${entry.pid} detached: ${reason}`);
    }
    entry.pid = pid; // undefined unless a kernel runs (idle or busy)
  }

  private fromRenderer(editor: vscode.NotebookEditor, message: unknown): void {
    const m = message as Partial<WidgetHostMessage> & { kernel?: unknown };
    if (!m || typeof m !== 'object' || m.type !== 'widget_msg') return;
    const widget = typeof m.widget === 'string' ? m.widget : '';
    const session = this.controller.sessionOf(editor.notebook);
    const running = session?.kernelPid;
    const { kernel, ...forward } = m;
    if (session && running !== undefined && kernel === running && session.widget(forward as WidgetHostMessage)) return;
    void this.messaging.postMessage({ type: 'widget_msg', widget, error: DETACHED_TEXT, code: 'unknown-widget' }, editor);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.known.clear();
  }
}
