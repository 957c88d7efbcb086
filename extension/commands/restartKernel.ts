/** "TRAM: Restart Kernel": a fresh kernel process for the active notebook (all variables are lost). */
import * as vscode from 'vscode';
import type { TramController } from '../controller';

export function restartKernel(controller: TramController) {
  return async (arg?: unknown): Promise<void> => {
    const notebook = notebookFrom(arg) ?? vscode.window.activeNotebookEditor?.notebook;
    if (!notebook) {
      void vscode.window.showInformationMessage('Open a notebook to restart its TRAM kernel.');
      return;
    }
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Restarting the TRAM kernel' },
        () => controller.restart(notebook),
      );
    } catch (err) {
      void vscode.window.showErrorMessage(`The TRAM kernel did not restart: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}

/** The notebook a command was invoked on: a notebook editor or document (toolbar), or a URI. */
function notebookFrom(arg: unknown): vscode.NotebookDocument | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as { notebookEditor?: { notebookUri?: vscode.Uri }; notebook?: vscode.NotebookDocument; uri?: vscode.Uri };
  const uri = a.notebookEditor?.notebookUri ?? a.notebook?.uri ?? (arg instanceof vscode.Uri ? arg : a.uri);
  return uri ? vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
}
