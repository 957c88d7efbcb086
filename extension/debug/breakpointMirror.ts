/**
 * Mirrors the source breakpoints of one notebook cell onto the file the kernel maps that cell to while it is
 * debugged (same lines, columns, condition, hit condition, log message, enabled state). `start` copies the
 * current ones and follows additions and removals in the cell until `dispose`, which removes every mirror.
 * The cell's own breakpoints are never changed.
 */
import * as vscode from 'vscode';

export class BreakpointMirror implements vscode.Disposable {
  private readonly mirrors = new Map<string, vscode.SourceBreakpoint>();
  private listener: vscode.Disposable | undefined;

  constructor(private readonly cell: vscode.Uri, private readonly file: vscode.Uri) {}

  private ofCell(bps: readonly vscode.Breakpoint[]): vscode.SourceBreakpoint[] {
    const key = this.cell.toString();
    return bps.filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === key);
  }

  private add(bps: vscode.SourceBreakpoint[]): void {
    const copies = bps
      .filter((b) => !this.mirrors.has(b.id))
      .map((b) => {
        const copy = new vscode.SourceBreakpoint(new vscode.Location(this.file, b.location.range), b.enabled, b.condition, b.hitCondition, b.logMessage);
        this.mirrors.set(b.id, copy);
        return copy;
      });
    if (copies.length) vscode.debug.addBreakpoints(copies);
  }

  private remove(bps: vscode.SourceBreakpoint[]): void {
    const gone = bps.map((b) => this.mirrors.get(b.id)).filter((b): b is vscode.SourceBreakpoint => !!b);
    for (const b of bps) this.mirrors.delete(b.id);
    if (gone.length) vscode.debug.removeBreakpoints(gone);
  }

  /** The number of breakpoints mirrored now. */
  get size(): number {
    return this.mirrors.size;
  }

  start(): void {
    this.add(this.ofCell(vscode.debug.breakpoints));
    this.listener = vscode.debug.onDidChangeBreakpoints((e) => {
      this.remove(this.ofCell([...e.removed, ...e.changed]));
      this.add(this.ofCell(e.changed));
      this.add(this.ofCell(e.added));
    });
  }

  dispose(): void {
    this.listener?.dispose();
    const all = [...this.mirrors.values()];
    this.mirrors.clear();
    if (all.length) vscode.debug.removeBreakpoints(all);
  }
}
