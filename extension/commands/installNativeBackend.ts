/**
 * "TRAM: Install Native Backend": `npm install @tensorflow/tfjs-node` (or `-gpu`) into a workspace folder, with
 * progress. The kernel searches the workspace folders for backends, so after a restart it uses the native one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runWithProgress, outputChannel } from '../runWithProgress';
import { findOnPath } from '../nodeLocator';
import type { TramController } from '../controller';

/** The tfjs version the kernel ships: a native backend must match it. */
export const TFJS_VERSION = '4.22.0';

export function installNativeBackend(controller: TramController) {
  return async (): Promise<void> => {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (!folders.length) {
      void vscode.window.showErrorMessage('Open a folder first: the native backend is installed into the workspace (its node_modules).');
      return;
    }
    const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Install into which folder?' });
    if (!folder) return;
    const pick = await vscode.window.showQuickPick(
      [
        { label: '@tensorflow/tfjs-node', backend: 'tensorflow', detail: 'Native TensorFlow on the CPU (Linux, macOS, Windows; downloads libtensorflow)' },
        { label: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow-gpu', detail: 'Native TensorFlow on an NVIDIA GPU (Linux with CUDA 11.8 and cuDNN 8)' },
      ],
      { title: 'TRAM: install a native TensorFlow backend into ' + folder.name },
    );
    if (!pick) return;
    const isWin = process.platform === 'win32';
    const npm = findOnPath('npm', process.env.PATH ?? process.env.Path ?? '', process.platform, (p) => fs.existsSync(p), process.env.PATHEXT);
    if (!npm) {
      void vscode.window.showErrorMessage('npm was not found on PATH. Install Node.js (it comes with npm), then run this command again.');
      return;
    }
    const cwd = folder.uri.fsPath;
    if (!fs.existsSync(path.join(cwd, 'package.json'))) {
      fs.writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ private: true, dependencies: {} }, null, 2) + '\n');
    }
    const status = await runWithProgress({
      title: `Installing ${pick.label}@${TFJS_VERSION}`,
      command: isWin ? 'npm' : npm,
      args: ['install', '--save-exact', '--no-audit', '--no-fund', '--foreground-scripts', `${pick.label}@${TFJS_VERSION}`],
      cwd,
    });
    if (status !== 0) {
      outputChannel().show(true);
      void vscode.window.showErrorMessage(
        status === null
          ? `Installing ${pick.label} was cancelled or npm did not start.`
          : `npm install ${pick.label} failed (exit ${status}); see the TRAM output. It downloads libtensorflow from storage.googleapis.com while installing.`,
      );
      return;
    }
    const use = await vscode.window.showInformationMessage(
      `${pick.label} is installed in ${folder.name}. Use the ${pick.backend} backend now?`,
      'Use it and restart the kernel',
    );
    if (!use) return;
    await vscode.workspace.getConfiguration('tram').update('backend', pick.backend, vscode.ConfigurationTarget.Workspace);
    await Promise.all(controller.allSessions().filter((s) => s.state !== 'stopped').map((s) => s.restart().catch(() => undefined)));
  };
}
