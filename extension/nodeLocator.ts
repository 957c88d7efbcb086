/**
 * Which Node.js runs the kernel process. Tried in order:
 *   1. the `tram.nodePath` setting (an explicit choice wins; a wrong value is an error, not a silent fallback);
 *   2. `node` found on PATH (the user's Node: native addons such as @tensorflow/tfjs-node are built for it);
 *   3. the extension host's own runtime (`process.execPath`); under Electron (desktop VS Code) it runs as
 *      plain Node with ELECTRON_RUN_AS_NODE=1.
 * The result is always an absolute path that exists, so the kernel never fails with "spawn node ENOENT".
 * Pure apart from file-system checks; `fs` is injectable for tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NodeRuntime {
  /** Absolute path of the executable. */
  command: string;
  /** Extra environment for the kernel process (ELECTRON_RUN_AS_NODE for the editor's runtime). */
  env: Record<string, string>;
  /** Where it came from, for the status bar tooltip and error messages. */
  source: 'setting' | 'path' | 'editor';
}

export interface LocateInput {
  /** The `tram.nodePath` setting ('' when unset). */
  setting?: string;
  /** The PATH variable to search. */
  pathEnv?: string;
  /** Windows executable extensions (PATHEXT); ignored elsewhere. */
  pathExt?: string;
  platform?: NodeJS.Platform;
  /** The extension host's executable and whether it is Electron (process.versions.electron). */
  execPath: string;
  isElectron: boolean;
  /** File-system probe, for tests: true when `p` is an executable file. */
  isExecutable?: (p: string) => boolean;
}

export class NodeNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeNotFoundError';
  }
}

function defaultIsExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `which node`: the first executable `node` in the PATH folders, or undefined. */
export function findOnPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform,
  isExecutable: (p: string) => boolean,
  pathExt = '.EXE;.CMD;.BAT;.COM',
): string | undefined {
  const sep = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? ['', ...pathExt.split(';').filter(Boolean).map((e) => e.toLowerCase())] : [''];
  for (const dir of pathEnv.split(sep)) {
    if (!dir) continue;
    const base = platform === 'win32' ? path.win32.join(dir, name) : path.posix.join(dir, name);
    for (const ext of exts) {
      const candidate = base + ext;
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

export function locateNode(input: LocateInput): NodeRuntime {
  const platform = input.platform ?? process.platform;
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const setting = (input.setting ?? '').trim();
  if (setting) {
    const isAbsolute = platform === 'win32' ? path.win32.isAbsolute(setting) : path.posix.isAbsolute(setting);
    const resolved = isAbsolute ? setting : findOnPath(setting, input.pathEnv ?? '', platform, isExecutable, input.pathExt);
    if (resolved && isExecutable(resolved)) return { command: resolved, env: {}, source: 'setting' };
    throw new NodeNotFoundError(
      `The setting tram.nodePath is "${setting}", but no executable Node.js is there. ` +
        'Set it to the full path of a node executable (for example the output of `which node`), or clear it ' +
        'to use the node on PATH or the editor\'s own runtime.',
    );
  }
  const onPath = findOnPath('node', input.pathEnv ?? '', platform, isExecutable, input.pathExt);
  if (onPath) return { command: onPath, env: {}, source: 'path' };
  if (input.execPath && isExecutable(input.execPath)) {
    return { command: input.execPath, env: input.isElectron ? { ELECTRON_RUN_AS_NODE: '1' } : {}, source: 'editor' };
  }
  throw new NodeNotFoundError(
    'No Node.js runtime was found to run the TRAM kernel: `node` is not on PATH and the editor\'s own runtime ' +
      `(${input.execPath || 'unknown'}) cannot be started. Install Node.js 20 or newer, or set tram.nodePath to ` +
      'the full path of a node executable.',
  );
}

/** The locator with this process's real environment. */
export function locateNodeHere(setting: string | undefined): NodeRuntime {
  return locateNode({
    setting,
    pathEnv: process.env.PATH ?? process.env.Path ?? '',
    pathExt: process.env.PATHEXT,
    execPath: process.execPath,
    isElectron: Boolean(process.versions.electron),
  });
}
