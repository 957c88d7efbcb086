/**
 * `importESM(specifier)`: a real dynamic `import()` resolved from the notebook's folder.
 *
 * Cells are compiled to CommonJS, so `import('pkg')` in a cell would become `require('pkg')` and fail with
 * ERR_REQUIRE_ESM for ES-module-only packages. The executor rewrites a cell's `import(x)` to `importESM(x)`,
 * which resolves bare specifiers by walking up `node_modules` from the notebook's folder and following the
 * package's `exports` map (conditions `import`, `node`, `default`), then loads the file with Node's ESM loader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// A function created at run time keeps `import()` a real dynamic import (tsc would turn it into require()).
const nativeImport = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

const CONDITIONS = ['import', 'node', 'default'];

function pickTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = pickTarget(e);
      if (t) return t;
    }
    return undefined;
  }
  if (entry && typeof entry === 'object') {
    for (const [cond, value] of Object.entries(entry as Record<string, unknown>)) {
      if (CONDITIONS.includes(cond)) {
        const t = pickTarget(value);
        if (t) return t;
      }
    }
  }
  return undefined;
}

function resolveExports(exportsField: unknown, subpath: string): string | undefined {
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return subpath === '.' ? pickTarget(exportsField) : undefined;
  if (!exportsField || typeof exportsField !== 'object') return undefined;
  const map = exportsField as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length && !keys[0].startsWith('.')) return subpath === '.' ? pickTarget(map) : undefined; // conditions only
  if (subpath in map) return pickTarget(map[subpath]);
  for (const key of keys) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const pre = key.slice(0, star), post = key.slice(star + 1);
    if (subpath.startsWith(pre) && subpath.endsWith(post)) {
      const t = pickTarget(map[key]);
      if (t) return t.replace('*', subpath.slice(pre.length, subpath.length - post.length));
    }
  }
  return undefined;
}

/** The absolute file a bare or relative specifier means, seen from `fromDir`. */
export function resolveESM(specifier: string, fromDir: string): string {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return specifier;
  if (/^[a-z][a-z+.-]*:/i.test(specifier)) return specifier; // file:, data:, https: URLs as given
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) return pathToFileURL(path.resolve(fromDir, specifier)).href;
  const parts = specifier.split('/');
  const nameLen = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLen).join('/');
  const subpath = parts.length > nameLen ? './' + parts.slice(nameLen).join('/') : '.';
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', name);
    const pkgFile = path.join(pkgDir, 'package.json');
    if (fs.existsSync(pkgFile)) {
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { exports?: unknown; module?: string; main?: string };
      let target = pkg.exports !== undefined ? resolveExports(pkg.exports, subpath) : undefined;
      if (!target && subpath === '.') target = pkg.main ?? 'index.js';
      if (!target && subpath !== '.') target = subpath;
      if (target) return pathToFileURL(path.resolve(pkgDir, target)).href;
    }
    if (path.dirname(dir) === dir) break;
  }
  // Last resort: CommonJS resolution (packages with a `require` entry only).
  try {
    return pathToFileURL(createRequire(path.join(fromDir, 'noop.js')).resolve(specifier)).href;
  } catch {
    throw new Error(`Cannot find module '${specifier}' from ${fromDir}: install it there (npm install ${name}) or give a path.`);
  }
}

/** Load an ES module (or CommonJS module) by specifier, resolved from `fromDir`. */
export function importFrom(fromDir: string) {
  return function importESM<T = any>(specifier: string): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return Promise.resolve().then(() => nativeImport(resolveESM(String(specifier), fromDir)) as Promise<T>);
  };
}
