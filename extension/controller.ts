/**
 * The "TRAM TypeScript" notebook controller for .ipynb notebooks: one kernel process per notebook, cells
 * run in order with an execution count, outputs stream in as the kernel sends them, Stop interrupts the
 * running cell (variables survive) and an error stops the cells queued after it, as in Jupyter.
 * Nothing runs in an untrusted workspace.
 */
import * as vscode from 'vscode';
import { CellSink } from './cellSink';
import { CANCELLED, KernelSession, type ExecuteOutcome, type Language } from './kernelSession';
import { CellOutputMapper, errorItem } from './outputMapper';

export const CONTROLLER_ID = 'tram-typescript';
export const NOTEBOOK_TYPE = 'jupyter-notebook';

export const UNTRUSTED_MESSAGE =
  'TRAM does not run notebook code in an untrusted workspace: a cell can do anything your user account can. ' +
  'Trust this folder (command "Workspaces: Manage Workspace Trust") to start the kernel.';

export class TramController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly sessions = new Map<string, KernelSession>();
  private readonly sessionEvents = new vscode.EventEmitter<KernelSession | undefined>();
  /** Fires when any session changes state (for the status bar). */
  readonly onDidChangeSession = this.sessionEvents.event;
  private readonly cellEvents = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** Fires after each cell run ends (ok, error, interrupted or died), with its notebook (for the Variables view). */
  readonly onDidRunCell = this.cellEvents.event;
  private readonly selectionEvents = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** Fires when the kernel picker selects or deselects this kernel for a notebook (what `uses` answers may change). */
  readonly onDidChangeSelection = this.selectionEvents.event;
  private warnedUntrusted = false;

  constructor(private readonly createSession: (notebook: vscode.NotebookDocument) => KernelSession) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'TRAM TypeScript');
    this.controller.supportedLanguages = ['typescript', 'javascript'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'TensorFlow.js with SAM, ASAM, Fisher-SAM and TRAM';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.sessions.get(notebook.uri.toString())?.interrupt();
    this.controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
      if (selected) this.selected.add(notebook.uri.toString());
      else this.selected.delete(notebook.uri.toString());
      this.selectionEvents.fire(notebook);
    });
  }

  private readonly selected = new Set<string>();

  /** Whether the notebook uses this kernel: selected in the picker, or saved with the `tram` kernelspec. */
  uses(notebook: vscode.NotebookDocument): boolean {
    if (notebook.notebookType !== NOTEBOOK_TYPE) return false;
    if (this.selected.has(notebook.uri.toString()) || this.sessions.has(notebook.uri.toString())) return true;
    type Meta = { metadata?: { kernelspec?: { name?: string } } };
    const m = notebook.metadata as Meta & { custom?: Meta };
    const spec = (m?.metadata ?? m?.custom?.metadata)?.kernelspec?.name; // ipynb metadata (newer / older VS Code)
    return typeof spec === 'string' && /^tram/i.test(spec);
  }

  /** The session of a notebook, if its kernel was ever started. */
  sessionOf(notebook: vscode.NotebookDocument): KernelSession | undefined {
    return this.sessions.get(notebook.uri.toString());
  }

  /** The session of a notebook, created (not started) when there is none yet (Debug Cell). */
  sessionFor(notebook: vscode.NotebookDocument): KernelSession {
    return this.session(notebook);
  }

  allSessions(): KernelSession[] {
    return [...this.sessions.values()];
  }

  private session(notebook: vscode.NotebookDocument): KernelSession {
    const key = notebook.uri.toString();
    let s = this.sessions.get(key);
    if (!s) {
      s = this.createSession(notebook);
      s.onDidChangeState((changed) => this.sessionEvents.fire(changed));
      this.sessions.set(key, s);
    }
    return s;
  }

  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    await this.session(notebook).restart();
  }

  /** Closes the kernel of a notebook that was closed. */
  async close(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    await s?.shutdown();
    this.sessionEvents.fire(undefined);
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const executions = cells.map((cell) => this.controller.createNotebookCellExecution(cell));
    if (!vscode.workspace.isTrusted) {
      for (const exec of executions) await this.fail(exec, 'Workspace not trusted', UNTRUSTED_MESSAGE);
      if (!this.warnedUntrusted) {
        this.warnedUntrusted = true;
        void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      }
      return;
    }
    const session = this.session(notebook);
    let stop = false;
    for (const exec of executions) {
      if (stop) {
        exec.end(undefined);
        continue;
      }
      const outcome = await this.runOne(exec, notebook, session);
      if (outcome !== CANCELLED) this.cellEvents.fire(notebook);
      if (outcome.status !== 'ok') stop = true;
    }
  }

  private async runOne(exec: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, session: KernelSession): Promise<ExecuteOutcome> {
    let started = false;
    const start = async (executionCount: number) => {
      started = true;
      exec.executionOrder = executionCount;
      exec.start(Date.now());
      await exec.clearOutput();
    };
    const sink = new CellSink(exec);
    const mapper = new CellOutputMapper(sink);
    const language: Language = exec.cell.document.languageId === 'javascript' ? 'javascript' : 'typescript';
    let outcome: ExecuteOutcome;
    try {
      // The id names the cell in tracebacks: its number in the notebook.
      outcome = await session.run(String(exec.cell.index + 1), exec.cell.document.getText(), language, (m) => mapper.handle(m), start);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!started) {
        exec.start(Date.now());
        await exec.clearOutput();
      }
      await sink.flushed();
      await exec.appendOutput(new vscode.NotebookCellOutput([toVscodeError(started ? 'Kernel error' : 'Kernel did not start', message)]));
      exec.end(false, Date.now());
      return { status: 'died', durationMs: 0, reason: message };
    }
    if (outcome === CANCELLED) {
      exec.end(undefined);
      return outcome;
    }
    await sink.flushed();
    if (outcome.status === 'died') {
      const why = outcome.reason ?? session.lastError ?? 'the kernel process exited';
      await exec.appendOutput(
        new vscode.NotebookCellOutput([toVscodeError('Kernel died', `${why}. The next run starts a new kernel (all variables are lost).`)]),
      );
    }
    exec.end(outcome.status === 'ok', Date.now());
    return outcome;
  }

  private async fail(exec: vscode.NotebookCellExecution, name: string, message: string): Promise<void> {
    exec.start(Date.now());
    await exec.replaceOutput(new vscode.NotebookCellOutput([toVscodeError(name, message)]));
    exec.end(false, Date.now());
  }

  dispose(): void {
    for (const s of this.sessions.values()) void s.shutdown();
    this.sessions.clear();
    this.sessionEvents.dispose();
    this.cellEvents.dispose();
    this.selectionEvents.dispose();
    this.controller.dispose();
  }
}

function toVscodeError(name: string, message: string): vscode.NotebookCellOutputItem {
  const item = errorItem(name, message, []);
  return new vscode.NotebookCellOutputItem(item.data, item.mime);
}
