/**
 * The output mapper's operations on a running cell (`NotebookCellExecution`). Every edit is chained so
 * they reach VS Code in order; `flushed()` resolves when all of them have been applied.
 */
import * as vscode from 'vscode';
import type { OutputItem, OutputSink } from './outputMapper';

const toItems = (items: OutputItem[]) => items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime));

export class CellSink implements OutputSink<vscode.NotebookCellOutput> {
  private pending: Thenable<void> = Promise.resolve();

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  private then(edit: () => Thenable<void>): void {
    this.pending = this.pending.then(edit, edit);
  }

  create(items: OutputItem[], metadata?: Record<string, unknown>): vscode.NotebookCellOutput {
    const output = new vscode.NotebookCellOutput(toItems(items), metadata);
    this.then(() => this.execution.appendOutput(output));
    return output;
  }

  append(output: vscode.NotebookCellOutput, items: OutputItem[]): void {
    this.then(() => this.execution.appendOutputItems(toItems(items), output));
  }

  replace(output: vscode.NotebookCellOutput, items: OutputItem[]): void {
    this.then(() => this.execution.replaceOutputItems(toItems(items), output));
  }

  flushed(): Thenable<void> {
    return this.pending;
  }
}
