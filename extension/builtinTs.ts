/**
 * Tells the TypeScript server plugin (extension/tsServerPlugin.ts, `tram-ts-plugin`) which notebooks use the TRAM
 * kernel, so VS Code's built-in TypeScript stays quiet (no hover, completion or signature help) in their cells and
 * ours are the only ones shown (#11). Sent with the TypeScript extension's API (`getAPI(0).configurePlugin`) when
 * a notebook opens or closes and when the kernel picker changes; the TypeScript extension keeps the last
 * configuration and sends it again when its server restarts.
 */
import * as vscode from 'vscode';
import type { TramController } from './controller';

export const TS_PLUGIN = 'tram-ts-plugin';

interface TsApi {
  configurePlugin(pluginId: string, configuration: unknown): void;
}

export class BuiltinTsQuiet implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private sent = '';

  constructor(private readonly controller: TramController, private readonly log: vscode.OutputChannel) {
    const update = () => void this.update().catch((e) => this.log.appendLine(`built-in TypeScript: ${e?.message ?? e}`));
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument(update),
      vscode.workspace.onDidCloseNotebookDocument(update),
      controller.onDidChangeSelection(update),
    );
    update();
  }

  /** The URI paths of the open notebooks that use the TRAM kernel (what tsserver sees in a cell's file name). */
  notebooks(): string[] {
    return vscode.workspace.notebookDocuments.filter((nb) => this.controller.uses(nb)).map((nb) => nb.uri.path).sort();
  }

  private async update(): Promise<void> {
    const notebooks = this.notebooks();
    const key = JSON.stringify(notebooks);
    if (key === this.sent) return;
    const ext = vscode.extensions.getExtension('vscode.typescript-language-features');
    if (!ext) return; // no built-in TypeScript: nothing to quiet
    const exports = (ext.isActive ? ext.exports : await ext.activate()) as { getAPI?(v: number): TsApi | undefined } | undefined;
    const api = exports?.getAPI?.(0);
    if (!api) return;
    api.configurePlugin(TS_PLUGIN, { notebooks });
    this.sent = key;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
