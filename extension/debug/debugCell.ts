/**
 * "Debug Cell" (#17) for notebooks on the TRAM kernel: opens the kernel's Node inspector (127.0.0.1, a random
 * port, only for this run), attaches VS Code's JavaScript debugger (js-debug, `pwa-node` attach by WebSocket
 * address), runs the cell as a normal run (its outputs appear as usual), and when the cell ends detaches and
 * closes the inspector. The kernel keeps its state.
 *
 * Breakpoints: while debugging, the kernel writes the cell to `<tmp>/tram-debug-XXXXXX/cell-<n>.ts` and maps the
 * compiled cell to it (kernel/runtime/debug.ts). The breakpoints set in the cell are mirrored onto that file
 * before the cell runs (and while it runs, when added or removed in the cell), so js-debug binds them; the
 * mirrors and the folder are removed afterwards. Paused, VS Code shows that file (the cell's exact text).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cellSourceName } from '../../kernel/runtime/debug';
import type { TramController } from '../controller';
import { TENSOR_DESCRIPTION } from './tensorDescription';
import { BreakpointMirror } from './breakpointMirror';
import { attachConfiguration, DEBUG_CELL_KEY } from './attachConfig';


export interface DebugCellDeps {
  controller: TramController;
  log: vscode.OutputChannel;
}

/** The cell a command was invoked on: the argument of a cell menu, else the active notebook's selection. */
export function targetCell(arg: unknown): vscode.NotebookCell | undefined {
  const a = arg as { notebook?: unknown; index?: unknown; cell?: unknown } | undefined;
  if (a && a.notebook && typeof a.index === 'number') return a as vscode.NotebookCell;
  const ed = vscode.window.activeNotebookEditor;
  if (!ed) return undefined;
  const sel = ed.selections[0];
  return sel && sel.start < ed.notebook.cellCount ? ed.notebook.cellAt(sel.start) : undefined;
}

/** Resolves when js-debug has finished configuring a child session of `root` (breakpoints sent), or after `ms`. */
function configured(root: vscode.DebugSession, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reg.dispose();
      resolve(v);
    };
    const timer = setTimeout(() => finish(false), ms);
    const reg = vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', {
      createDebugAdapterTracker(s) {
        if (s.parentSession?.id !== root.id && s.id !== root.id) return undefined;
        return {
          onDidSendMessage(m: { type?: string; command?: string; success?: boolean }) {
            if (s.id !== root.id && m.type === 'response' && m.command === 'configurationDone') finish(true);
          },
        };
      },
    });
  });
}

/** Whether a tab of any editor group shows the notebook. */
function notebookShown(notebook: vscode.NotebookDocument): boolean {
  const key = notebook.uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputNotebook && t.input.uri.toString() === key));
}

export function debugCellCommand(deps: DebugCellDeps): (arg?: unknown) => Promise<void> {
  let running = false;
  return async (arg?: unknown) => {
    const cell = targetCell(arg);
    if (!cell || cell.kind !== vscode.NotebookCellKind.Code) {
      void vscode.window.showErrorMessage('Debug Cell: select a code cell of a notebook first.');
      return;
    }
    const notebook = cell.notebook;
    if (!deps.controller.uses(notebook)) {
      void vscode.window.showErrorMessage('Debug Cell needs the TRAM TypeScript kernel: choose it in the notebook\'s kernel picker first.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('Debug Cell: TRAM does not run notebook code in an untrusted workspace. Trust the folder first.');
      return;
    }
    // (Not vscode.debug.activeDebugSession: in code-server 4.100.3 it still named an ended session.)
    if (running) {
      void vscode.window.showErrorMessage('Debug Cell: a cell is already being debugged; continue or stop it first.');
      return;
    }
    const session = deps.controller.sessionFor(notebook);
    if (session.state === 'busy') {
      void vscode.window.showErrorMessage('Debug Cell: a cell of this notebook is running; wait for it (or stop it) first.');
      return;
    }
    running = true;
    const id = String(cell.index + 1); // the id the controller gives the run (controller.ts)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-debug-'));
    const file = vscode.Uri.file(path.join(dir, cellSourceName(id)));
    const mirror = new BreakpointMirror(cell.document.uri, file);
    let root: vscode.DebugSession | undefined;
    let ended: vscode.Disposable | undefined;
    /** Our debug sessions still running: the attach session and the one js-debug starts for the kernel under it. */
    const live = new Map<string, vscode.DebugSession>();
    let watch: vscode.Disposable | undefined;
    let gone: vscode.Disposable | undefined;
    let closed: vscode.Disposable | undefined;
    let closedMeanwhile = false;
    /** Children first, then the attach session. */
    const stopSessions = async () => {
      for (const s of [...live.values()].reverse()) {
        if (!live.has(s.id)) continue;
        // stopDebugging of a session already ending may never settle: wait at most 3 s for each.
        const stopped = Promise.resolve(vscode.debug.stopDebugging(s)).catch(() => undefined);
        await Promise.race([stopped, new Promise((r) => setTimeout(r, 3000))]);
      }
    };
    try {
      await session.ensureStarted();
      const { url } = await session.debug('start', dir);
      deps.log.appendLine(`Debug Cell ${id}: inspector ${url}, cell file ${file.fsPath}`);
      mirror.start();
      const stepIntoLibrary = vscode.workspace.getConfiguration('tram', notebook.uri).get<boolean>('debug.stepIntoLibrary', false);
      const config = attachConfiguration({ id, url: url!, description: TENSOR_DESCRIPTION, stepIntoLibrary });
      const started = new Promise<vscode.DebugSession>((resolve) => {
        watch = vscode.debug.onDidStartDebugSession((s) => {
          const ours = (s.configuration[DEBUG_CELL_KEY] === id && !s.parentSession) || (s.parentSession && live.has(s.parentSession.id));
          if (!ours) return;
          live.set(s.id, s);
          if (!s.parentSession) resolve(s);
        });
        gone = vscode.debug.onDidTerminateDebugSession((s) => live.delete(s.id));
      });
      const folder = vscode.workspace.getWorkspaceFolder(notebook.uri);
      // Listening for the child session's configuration before starting, so that it cannot be missed.
      const startedRoot = started.then((s) => ((root = s), configured(s, 20_000)));
      if (!(await vscode.debug.startDebugging(folder, config, { suppressDebugToolbar: false }))) {
        throw new Error('VS Code did not start the JavaScript debugger (is the built-in "JavaScript Debugger" extension enabled?)');
      }
      if (!(await startedRoot)) deps.log.appendLine(`Debug Cell ${id}: the debugger did not report its configuration within 20 s; running anyway`);
      ended = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id === root?.id) deps.log.appendLine(`Debug Cell ${id}: debug session ended`);
      });
      // The notebook closed while paused: VS Code keeps its document open until the running cell ends, which a
      // paused cell never does. Detach, so that the cell runs to its end and the notebook (and kernel) close.
      closed = vscode.window.tabGroups.onDidChangeTabs(() => {
        if (notebookShown(notebook) || !live.size) return;
        deps.log.appendLine(`Debug Cell ${id}: the notebook was closed; detaching the debugger`);
        closedMeanwhile = true;
        void stopSessions();
      });
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: notebook.uri });
      deps.log.appendLine(`Debug Cell ${id}: the cell finished`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      deps.log.appendLine(`Debug Cell ${id}: ${message}`);
      void vscode.window.showErrorMessage(`Debug Cell: ${message}`);
    } finally {
      ended?.dispose();
      closed?.dispose();
      // Stop the sessions, wait (at most 10 s) until VS Code reports them ended, then close the inspector (which
      // blocks the kernel until its last debugger has disconnected).
      await stopSessions();
      for (const t0 = Date.now(); live.size && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 100));
      if (live.size) deps.log.appendLine(`Debug Cell ${id}: debug sessions still running after the cell: ${[...live.values()].map((s) => s.name).join(', ')}`);
      await session.debug('stop').catch(() => undefined); // a kernel restarted meanwhile has nothing open
      watch?.dispose();
      gone?.dispose();
      mirror.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
      running = false;
      // The cell's outputs leave the closed notebook's document dirty, so VS Code keeps it open (and TRAM its
      // kernel, which it ends when the document closes): end the kernel now, as closing the notebook would have.
      if (closedMeanwhile) {
        deps.log.appendLine(`Debug Cell ${id}: the notebook was closed while debugging (shown again: ${notebookShown(notebook)}); shutting its kernel down`);
        await deps.controller.close(notebook);
      }
    }
  };
}
