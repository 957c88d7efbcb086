/** A status bar item with the kernel state and backend of the active notebook: "TRAM: idle · wasm". */
import * as vscode from 'vscode';
import type { TramController } from './controller';
import { NOTEBOOK_TYPE } from './controller';
import { lastRuntime } from './nodeLocator';

const ICONS: Record<string, string> = {
  stopped: '$(circle-outline)',
  starting: '$(sync~spin)',
  idle: '$(circle-large-outline)',
  busy: '$(loading~spin)',
  dead: '$(error)',
};

export class KernelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tram.kernelStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly controller: TramController) {
    this.item.name = 'TRAM kernel';
    this.item.command = 'tram.chooseBackend';
    this.subscriptions.push(
      controller.onDidChangeSession(() => this.update()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    if (!notebook || notebook.notebookType !== NOTEBOOK_TYPE) {
      this.item.hide();
      return;
    }
    const session = this.controller.sessionOf(notebook);
    const state = session?.state ?? 'stopped';
    const backend = session?.info?.backend;
    this.item.text = `${ICONS[state] ?? ''} TRAM: ${state}${backend && state !== 'dead' ? ` · ${backend}${session?.info?.gpu ? ' (GPU)' : ''}` : ''}`;
    // Fallback to the editor's own runtime: say which Node the kernel runs on.
    const runtime = lastRuntime();
    if (session?.info && runtime?.source === 'editor') this.item.text += ` · editor's Node ${session.info.nodeVersion ?? runtime.version ?? '?'}`;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**TRAM kernel**: ${state}\n\n`);
    if (session?.info) tip.appendText(`${session.info.backendDetail}\nNode ${session.info.nodeVersion}, tfjs ${session.info.tfjsVersion}, pid ${session.info.pid}\n`);
    if (session?.info && runtime?.note) tip.appendText(`${runtime.note}\n`);
    if (state === 'dead' && session?.lastError) tip.appendText(`${session.lastError}\n`);
    for (const w of session?.info?.warnings ?? []) tip.appendText(`⚠ ${w}\n`);
    tip.appendMarkdown('\nClick to choose the backend.');
    this.item.tooltip = tip;
    this.item.backgroundColor = state === 'dead' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.item.dispose();
  }
}
