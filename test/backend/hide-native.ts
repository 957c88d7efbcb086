/**
 * Test fixture: makes the project's own @tensorflow/tfjs-node and @tensorflow/tfjs-node-gpu unresolvable, so
 * backend tests see "not installed" on purpose whether or not a native package is installed on this machine.
 * Contract: a `require.resolve`/`require` of either package (or a file in it) that would land in the project's
 * node_modules throws MODULE_NOT_FOUND; the same names resolved elsewhere (the stand-in workspaces of
 * fixtures.ts, in the temp folder) are untouched. Import it first; `restoreNative()` undoes it.
 */
import Module from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const NATIVE = /^@tensorflow\/tfjs-node(-gpu)?(\/|$)/;
const projectModules = fs.realpathSync(path.resolve(__dirname, '..', '..', '..', 'node_modules'));

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const M = Module as unknown as { _resolveFilename: Resolve };
const original = M._resolveFilename;

M._resolveFilename = function (request, parent, isMain, options) {
  const found = original.call(this, request, parent, isMain, options);
  if (NATIVE.test(request) && (found + path.sep).startsWith(projectModules + path.sep)) {
    const e = new Error(`Cannot find module '${request}' (hidden by test/backend/hide-native.ts)`) as NodeJS.ErrnoException;
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return found;
};

/** The real resolution again. */
export function restoreNative(): void {
  M._resolveFilename = original;
}

/** Whether a native package really is installed in the project (resolution without the hook). */
export function nativeInstalled(name: string): boolean {
  try {
    original.call(Module, name, null, false, { paths: [path.dirname(projectModules)] });
    return true;
  } catch {
    return false;
  }
}
