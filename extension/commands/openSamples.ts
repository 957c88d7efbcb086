/**
 * "TRAM: Open Sample Notebooks": copies the sample notebooks shipped with the extension into a `tram-samples`
 * folder (in the workspace, or a folder the user picks) and opens one. The shipped originals stay clean and
 * files already copied are never overwritten, so the user's edits survive running the command again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copySamples } from '../samples';

export const SAMPLES_FOLDER = 'tram-samples';

export function openSamples(extensionPath: string) {
  return async (): Promise<void> => {
    const source = path.join(extensionPath, 'notebooks');
    let base = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    if (!base) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: `Copy the samples here (into ${SAMPLES_FOLDER}/)`,
      });
      if (!picked?.length) return;
      base = picked[0].fsPath;
    }
    const dest = path.join(base, SAMPLES_FOLDER);
    let result: { copied: string[]; kept: string[] };
    try {
      result = await copySamples(source, dest);
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not copy the sample notebooks to ${dest}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const all = [...result.copied, ...result.kept].sort();
    if (!all.length) {
      void vscode.window.showErrorMessage(`No sample notebooks were found in ${source}.`);
      return;
    }
    const pick = await vscode.window.showQuickPick(
      all.map((name) => ({ label: name, description: result.kept.includes(name) ? 'already in the folder (your copy)' : 'copied' })),
      { title: `TRAM samples in ${dest}`, placeHolder: 'Open a sample notebook' },
    );
    if (!pick) return;
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path.join(dest, pick.label)));
    await vscode.window.showNotebookDocument(doc);
  };
}
