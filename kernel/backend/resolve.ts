/**
 * Finding a backend package on disk without loading it: from this project and from extra folders
 * (the user's workspace, where the extension installs the native backend), and checking that it
 * would use the same `@tensorflow/tfjs-core` as we do — a backend registers itself on the engine
 * of the tfjs-core it loads, so a package that brings another tfjs-core can register nothing
 * we can use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Resolved {
  /** Absolute path of the package's entry file (what `require` would load). */
  entry: string;
  /** The package's folder (where its package.json is). */
  dir: string;
  version: string;
}

/** The project folder: the nearest folder above this module with a package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return __dirname;
    dir = up;
  }
  return dir;
}

/** The folders resolution starts from: the project, then `searchPaths` (absolute). */
export function resolutionBases(searchPaths: readonly string[] = []): string[] {
  return [projectRoot(), ...searchPaths.map((p) => path.resolve(p))];
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The folder of the package named `name` that contains `file` (walks up to its package.json). */
function packageDirOf(file: string, name: string): string | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const pkg = readJson(path.join(dir, 'package.json'));
    if (pkg && pkg.name === name) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Resolves package `name` as `require` would from each base folder in turn; the first hit wins.
 * Returns undefined when no base can see it.
 */
export function resolvePackage(name: string, bases: readonly string[]): Resolved | undefined {
  for (const base of bases) {
    let entry: string;
    try {
      entry = require.resolve(name, { paths: [base] });
    } catch {
      continue;
    }
    const dir = packageDirOf(entry, name) ?? path.dirname(entry);
    const version = String(readJson(path.join(dir, 'package.json'))?.version ?? 'unknown');
    return { entry, dir, version };
  }
  return undefined;
}

/** Our own `@tensorflow/tfjs-core` (the one `@tensorflow/tfjs` in this project loads). */
export function ourTfjsCore(): Resolved {
  const r = resolvePackage('@tensorflow/tfjs-core', [__dirname]);
  if (!r) throw new Error('@tensorflow/tfjs-core cannot be resolved from the project: run `npm install` in it.');
  return r;
}

export type CoreCheck =
  | { kind: 'same'; core: Resolved }
  | { kind: 'copy-same-version'; core: Resolved; ours: Resolved }
  | { kind: 'copy-other-version'; core: Resolved; ours: Resolved }
  | { kind: 'missing'; from: string };

/**
 * Which `@tensorflow/tfjs-core` a package in `pkgDir` would load, compared with ours.
 *  - same: one instance, the backend registers where we run ops.
 *  - copy-same-version: a second copy of the same version. tfjs-core keeps its engine and kernel
 *    registry in one process-wide global, so the backend still lands on our engine; usable.
 *  - copy-other-version: another version would share (or fight over) that global: refused.
 *  - missing: the package cannot load at all.
 */
export function checkTfjsCore(pkgDir: string): CoreCheck {
  const ours = ourTfjsCore();
  const core = resolvePackage('@tensorflow/tfjs-core', [pkgDir]);
  if (!core) return { kind: 'missing', from: pkgDir };
  if (fs.realpathSync(core.dir) === fs.realpathSync(ours.dir)) return { kind: 'same', core };
  return core.version === ours.version ? { kind: 'copy-same-version', core, ours } : { kind: 'copy-other-version', core, ours };
}
