/** "TRAM: Install Jupyter Kernel": runs `tram jupyter install --user` so Jupyter (and its VS Code extension) can use the kernel. */
import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { readSettings } from '../config';
import { locateNodeHere } from '../nodeLocator';
import { outputChannel, runWithProgress } from '../runWithProgress';

export function installKernelspec(extensionPath: string) {
  return async (): Promise<void> => {
    let node;
    try {
      node = locateNodeHere(readSettings().nodePath);
    } catch (err) {
      void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
      return;
    }
    const status = await runWithProgress({
      title: 'Installing the TRAM Jupyter kernelspec',
      command: node.command,
      args: [path.join(extensionPath, 'bin', 'tram.js'), 'jupyter', 'install', '--user'],
      cwd: os.homedir(),
      env: node.env,
    });
    if (status === 0) {
      void vscode.window.showInformationMessage('The TRAM kernel is installed for Jupyter (kernelspec "tram"). Jupyter lists it after a restart.');
    } else {
      outputChannel().show(true);
      void vscode.window.showErrorMessage(`tram jupyter install --user failed (exit ${status ?? 'none'}); see the TRAM output.`);
    }
  };
}
