/**
 * Which Node.js runs the kernel process. Tried in order:
 *   1. the `tram.nodePath` setting (an explicit choice wins, whatever its version; a wrong value is an error,
 *      not a silent fallback);
 *   2. the first `node` on PATH whose version satisfies `engines` (package.json `engines.node`, the versions the
 *      test suite runs on): the user's Node, for which native addons such as @tensorflow/tfjs-node are built;
 *   3. the extension host's own runtime (`process.execPath`, version `process.versions.node`); under Electron
 *      (desktop VS Code) it runs as plain Node with ELECTRON_RUN_AS_NODE=1. It is used even outside `engines`
 *      (the editor runs on it), and `note` then says so; PATH nodes outside `engines` are named in `note`.
 * The result is always an absolute path that exists, so the kernel never fails with "spawn node ENOENT".
 * Pure apart from file-system checks and `node --version`; both are injectable for tests.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NodeRuntime {
  /** Absolute path of the executable. */
  command: string;
  /** Extra environment for the kernel process (ELECTRON_RUN_AS_NODE for the editor's runtime). */
  env: Record<string, string>;
  /** Where it came from, for the status bar tooltip and error messages. */
  source: 'setting' | 'path' | 'editor';
  /** Its version without the `v` ('20.19.0'), or undefined when it could not be read. */
  version?: string;
  /** Why a `node` on PATH was passed over, or that the runtime is outside `engines`. */
  note?: string;
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
  /** Supported Node versions (package.json `engines.node`, e.g. '^20.19.0 || ^24.0.0'); empty: any. */
  engines?: string;
  /** `node --version` of an executable without the `v`, or undefined; for tests. */
  versionOf?: (p: string) => string | undefined;
  /** The extension host's Node version (process.versions.node). */
  execVersion?: string;
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

/** `which -a node`: every executable `node` in the PATH folders, in PATH order. */
export function findAllOnPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform,
  isExecutable: (p: string) => boolean,
  pathExt = '.EXE;.CMD;.BAT;.COM',
): string[] {
  const sep = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? ['', ...pathExt.split(';').filter(Boolean).map((e) => e.toLowerCase())] : [''];
  const found: string[] = [];
  for (const dir of pathEnv.split(sep)) {
    if (!dir) continue;
    const base = platform === 'win32' ? path.win32.join(dir, name) : path.posix.join(dir, name);
    for (const ext of exts) {
      const candidate = base + ext;
      if (isExecutable(candidate)) {
        found.push(candidate);
        break;
      }
    }
  }
  return found;
}

/** `which node`: the first executable `node` in the PATH folders, or undefined. */
export function findOnPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform,
  isExecutable: (p: string) => boolean,
  pathExt = '.EXE;.CMD;.BAT;.COM',
): string | undefined {
  return findAllOnPath(name, pathEnv, platform, isExecutable, pathExt)[0];
}

/**
 * Whether `version` ('22.3.0' or 'v22.3.0') is in `range`: npm's syntax for the forms package.json uses here —
 * `||` of space-separated comparators `>=X.Y.Z`, `>`, `<=`, `<`, `=`, `^X[.Y.Z]`, `~X.Y[.Z]`, `X`, `X.x`.
 * Missing minor/patch count as 0 in comparisons. An empty range allows any version.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  if (!range.trim()) return true;
  return range.split('||').some((alt) => {
    const parts = alt.trim().split(/\s+/).filter(Boolean);
    return parts.length > 0 && parts.every((c) => comparatorHolds(v, c));
  });
}

type Triple = [number, number, number];
function parseVersion(s: string): Triple | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}
function cmp(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
function comparatorHolds(v: Triple, c: string): boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(c);
  if (!m) throw new Error(`unsupported version range part '${c}' in engines.node`);
  const op = m[1] ?? '';
  const given = [m[2], m[3], m[4]].map((x) => (x === undefined || x === 'x' || x === '*' ? undefined : Number(x)));
  const t: Triple = [given[0]!, given[1] ?? 0, given[2] ?? 0];
  const d = cmp(v, t);
  switch (op) {
    case '>=': return d >= 0;
    case '>': return d > 0;
    case '<=': return d <= 0;
    case '<': return d < 0;
    case '^': return d >= 0 && v[0] === t[0];
    case '~': return d >= 0 && v[0] === t[0] && (given[1] === undefined || v[1] === t[1]);
    default: // '=' or a bare version: X matches X.*.*, X.Y matches X.Y.*
      return given.every((g, i) => g === undefined || g === v[i]);
  }
}

/** Cached `node --version` (by path and modification time), at most 5 s per probe. */
const versionCache = new Map<string, string | undefined>();
function defaultVersionOf(p: string): string | undefined {
  let key = p;
  try {
    key = `${p}@${fs.statSync(p).mtimeMs}`;
  } catch {
    return undefined;
  }
  if (versionCache.has(key)) return versionCache.get(key);
  let v: string | undefined;
  try {
    v = execFileSync(p, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).trim().replace(/^v/, '');
    if (!/^\d+\.\d+/.test(v)) v = undefined;
  } catch {
    v = undefined;
  }
  versionCache.set(key, v);
  return v;
}

export function locateNode(input: LocateInput): NodeRuntime {
  const platform = input.platform ?? process.platform;
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const setting = (input.setting ?? '').trim();
  if (setting) {
    const isAbsolute = platform === 'win32' ? path.win32.isAbsolute(setting) : path.posix.isAbsolute(setting);
    const resolved = isAbsolute ? setting : findOnPath(setting, input.pathEnv ?? '', platform, isExecutable, input.pathExt);
    if (resolved && isExecutable(resolved)) {
      const version = (input.versionOf ?? defaultVersionOf)(resolved);
      const engines = (input.engines ?? '').trim();
      const note = version && engines && !satisfies(version, engines) ? `tram.nodePath is Node v${version}, outside the tested versions ${engines}` : undefined;
      return { command: resolved, env: {}, source: 'setting', ...(version ? { version } : {}), ...(note ? { note } : {}) };
    }
    throw new NodeNotFoundError(
      `The setting tram.nodePath is "${setting}", but no executable Node.js is there. ` +
        'Set it to the full path of a node executable (for example the output of `which node`), or clear it ' +
        'to use the node on PATH or the editor\'s own runtime.',
    );
  }
  const engines = (input.engines ?? '').trim();
  const versionOf = input.versionOf ?? defaultVersionOf;
  const passedOver: string[] = [];
  for (const candidate of findAllOnPath('node', input.pathEnv ?? '', platform, isExecutable, input.pathExt)) {
    const version = versionOf(candidate);
    if (version && satisfies(version, engines)) return { command: candidate, env: {}, source: 'path', version };
    passedOver.push(`${candidate} (${version ? `v${version}` : 'version unknown'})`);
  }
  if (input.execPath && isExecutable(input.execPath)) {
    const version = input.execVersion;
    const outside = version && engines && !satisfies(version, engines) ? `its Node v${version} is outside the tested versions ${engines}` : '';
    const skipped = passedOver.length ? `node on PATH not used: ${passedOver.join(', ')} ${passedOver.length > 1 ? 'are' : 'is'} outside ${engines || 'the supported versions'}` : '';
    const note = [`the editor's own runtime${version ? ` (Node v${version})` : ''} runs the kernel`, skipped, outside].filter(Boolean).join('; ');
    return { command: input.execPath, env: input.isElectron ? { ELECTRON_RUN_AS_NODE: '1' } : {}, source: 'editor', ...(version ? { version } : {}), note };
  }
  throw new NodeNotFoundError(
    'No Node.js runtime was found to run the TRAM kernel: `node` is not on PATH and the editor\'s own runtime ' +
      `(${input.execPath || 'unknown'}) cannot be started. Install Node.js ${input.engines?.trim() || '20 or newer'}, or set ` +
      'tram.nodePath to the full path of a node executable.',
  );
}

/** `engines.node` of the extension's package.json (out/extension/ → ../../package.json), or ''. */
export function enginesNode(): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).engines?.node ?? '');
  } catch {
    return '';
  }
}

let last: NodeRuntime | undefined;
/** The runtime the last kernel start used (for the status bar), or undefined before the first start. */
export function lastRuntime(): NodeRuntime | undefined {
  return last;
}

/** The locator with this process's real environment. */
export function locateNodeHere(setting: string | undefined): NodeRuntime {
  last = locateNode({
    setting,
    pathEnv: process.env.PATH ?? process.env.Path ?? '',
    pathExt: process.env.PATHEXT,
    execPath: process.execPath,
    execVersion: process.versions.node,
    isElectron: Boolean(process.versions.electron),
    engines: enginesNode(),
  });
  return last;
}
