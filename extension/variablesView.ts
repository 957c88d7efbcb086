/**
 * The "TRAM Variables" tree view (Explorer sidebar) for the active notebook's kernel: a `tf.memory()` row (tensors,
 * bytes, and the change the last cell made, so leaks show) and one row per variable (variablesFormat.ts). Refreshed
 * after every cell run, when the kernel changes state and when another notebook becomes active. Selecting a tensor
 * row prints its value summary (min/max/mean, first values) to the "TRAM Variables" output channel.
 */
import * as vscode from 'vscode';
import type { TramController } from './controller';
import type { VariableInfo, MemoryInfo } from '../kernel/protocol';
import { describeMemory, describeRow, describeSummary } from './variablesFormat';

export const VARIABLES_VIEW_ID = 'tram.variables';
export const SUMMARIZE_COMMAND = 'tram.variables.summarize';

type Node = { kind: 'memory'; memory: MemoryInfo } | { kind: 'variable'; v: VariableInfo };

export class VariablesView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: Node[] = [];
  private readonly view: vscode.TreeView<Node>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private seq = 0;

  constructor(private readonly controller: TramController, private readonly log: vscode.OutputChannel) {
    this.view = vscode.window.createTreeView(VARIABLES_VIEW_ID, { treeDataProvider: this });
    this.subscriptions.push(
      this.view,
      this.changed,
      controller.onDidRunCell((nb) => { if (nb === vscode.window.activeNotebookEditor?.notebook) void this.refresh(); }),
      // Not while a cell runs: a synchronous cell would keep the request waiting; the run's end refreshes.
      controller.onDidChangeSession((s) => { if (s?.state !== 'busy') void this.refresh(); }),
      vscode.window.onDidChangeActiveNotebookEditor(() => void this.refresh()),
      vscode.commands.registerCommand(SUMMARIZE_COMMAND, (name: unknown) => this.summarize(name)),
      vscode.commands.registerCommand('tram.variables.refresh', () => this.refresh()),
    );
    void this.refresh();
  }

  private session() {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    return nb ? this.controller.sessionOf(nb) : undefined;
  }

  async refresh(): Promise<void> {
    const mine = ++this.seq;
    let nodes: Node[] = [];
    let message: string | undefined;
    try {
      const r = await this.session()?.variables();
      if (!r) message = 'Run a cell with the TRAM TypeScript kernel to see its variables.';
      else nodes = [{ kind: 'memory', memory: r.memory }, ...r.variables.map((v): Node => ({ kind: 'variable', v }))];
    } catch (e) {
      message = `Could not read the variables: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (mine !== this.seq) return; // a newer refresh started meanwhile
    this.nodes = nodes;
    this.view.message = message;
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    return node ? [] : this.nodes;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'memory') {
      const item = new vscode.TreeItem('tf.memory()');
      item.description = describeMemory(node.memory);
      item.tooltip = `tf.memory(): ${item.description}`;
      item.iconPath = new vscode.ThemeIcon(node.memory.lastCell && node.memory.lastCell.tensors > 0 ? 'warning' : 'database');
      return item;
    }
    const v = node.v;
    const item = new vscode.TreeItem(v.name);
    item.description = describeRow(v);
    item.tooltip = `${v.name}: ${item.description}`;
    item.contextValue = v.kind;
    item.iconPath = new vscode.ThemeIcon(v.kind === 'tensor' ? 'symbol-array' : v.kind === 'model' ? 'symbol-class' : v.kind === 'function' ? 'symbol-method' : 'symbol-variable');
    if (v.kind === 'tensor' && !v.disposed) {
      item.tooltip += ' (select for a summary of its values)';
      item.command = { command: SUMMARIZE_COMMAND, title: 'Summarize tensor', arguments: [v.name] };
    }
    return item;
  }

  private async summarize(name: unknown): Promise<void> {
    if (typeof name !== 'string') {
      void vscode.window.showErrorMessage('TRAM: select a tensor in the TRAM Variables view to summarize it.');
      return;
    }
    const r = await this.session()?.variables({ summarize: name, maxValues: 10 });
    if (!r) {
      void vscode.window.showErrorMessage('TRAM: no kernel runs for the active notebook; run a cell first.');
      return;
    }
    this.log.appendLine(r.summary ? describeSummary(r.summary) : `${name}: ${r.summaryError ?? 'no summary'}`);
    this.log.show(true);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
