/**
 * The output mapper's operations on a running cell (`NotebookCellExecution`), through an `EditQueue`
 * (./editQueue.ts): edits reach VS Code in order, in-place updates of one output are latest-wins and paced to
 * the editor's speed, and `flushed()` resolves when all of them (the final state included) have been applied.
 */
import * as vscode from 'vscode';
import { EditQueue } from './editQueue';
import type { OutputItem, OutputSink } from './outputMapper';

const toItems = (items: OutputItem[]) => items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime));

export class CellSink implements OutputSink<vscode.NotebookCellOutput> {
  private readonly edits: EditQueue<vscode.NotebookCellOutput, OutputItem[]>;

  constructor(private readonly execution: vscode.NotebookCellExecution) {
    this.edits = new EditQueue((output, items) => this.execution.replaceOutputItems(toItems(items), output));
  }

  create(items: OutputItem[], metadata?: Record<string, unknown>): vscode.NotebookCellOutput {
    const output = new vscode.NotebookCellOutput(toItems(items), metadata);
    this.edits.push(output, () => this.execution.appendOutput(output));
    return output;
  }

  append(output: vscode.NotebookCellOutput, items: OutputItem[]): void {
    this.edits.push(output, () => this.execution.appendOutputItems(toItems(items), output));
  }

  replace(output: vscode.NotebookCellOutput, items: OutputItem[]): void {
    this.edits.replace(output, items);
  }

  flushed(): Thenable<void> {
    return this.edits.flushed();
  }
}
