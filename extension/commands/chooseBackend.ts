/** "TRAM: Choose Backend": pick a tfjs backend, save it in `tram.backend`, restart the running kernels. */
import * as vscode from 'vscode';
import { readSettings, type BackendSetting } from '../config';
import type { TramController } from '../controller';

const CHOICES: { backend: BackendSetting; detail: string }[] = [
  { backend: 'auto', detail: 'The fastest that loads: native TensorFlow (GPU, then CPU), then WebAssembly, then plain JavaScript' },
  { backend: 'tensorflow-gpu', detail: 'Native TensorFlow on a CUDA GPU (@tensorflow/tfjs-node-gpu)' },
  { backend: 'tensorflow', detail: 'Native TensorFlow on the CPU (@tensorflow/tfjs-node)' },
  { backend: 'wasm', detail: 'WebAssembly with SIMD: runs everywhere, no install' },
  { backend: 'cpu', detail: 'Plain JavaScript: slowest, for checking results' },
];

export function chooseBackend(controller: TramController) {
  return async (): Promise<void> => {
    const current = readSettings().backend;
    const pick = await vscode.window.showQuickPick(
      CHOICES.map((c) => ({ label: c.backend, description: c.backend === current ? '(current)' : undefined, detail: c.detail })),
      { title: 'TRAM: tfjs backend for the kernel', placeHolder: `now: ${current}` },
    );
    if (!pick) return;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('tram').update('backend', pick.label, target);
    const running = controller.allSessions().filter((s) => s.state === 'idle' || s.state === 'busy');
    await Promise.all(running.map((s) => s.restart().catch(() => undefined)));
    const note = running.length ? ` ${running.length} running kernel(s) restarted.` : '';
    void vscode.window.showInformationMessage(`TRAM backend: ${pick.label}.${note}`);
  };
}
