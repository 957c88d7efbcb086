/** The extension's settings (`tram.*`), read fresh each time they are needed. */
import * as vscode from 'vscode';

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendSetting = (typeof BACKENDS)[number];

export interface TramSettings {
  backend: BackendSetting;
  nodePath: string;
  seed: number | undefined;
}

export function readSettings(scope?: vscode.ConfigurationScope): TramSettings {
  const c = vscode.workspace.getConfiguration('tram', scope);
  const backend = c.get<string>('backend', 'auto');
  const seed = c.get<number | null>('seed', null);
  return {
    backend: (BACKENDS as readonly string[]).includes(backend) ? (backend as BackendSetting) : 'auto',
    nodePath: c.get<string>('nodePath', ''),
    seed: typeof seed === 'number' && Number.isFinite(seed) ? seed : undefined,
  };
}
