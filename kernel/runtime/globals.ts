/**
 * The names every cell sees without imports, and the ambient declarations that type them.
 *
 *   tf          TensorFlow.js (the kernel's backend already selected)
 *   tram        the notebook surface (`kernel/notebook.ts`, curated exports by name); its value exports are
 *               also globals (e.g. the optimizers), and so are the chart helpers of `kernel/charts`
 *   Tensor, Tensor1D … Tensor4D, Scalar, Variable, Sequential, LayersModel   tfjs's types under their short names
 *   display     rich outputs (see display.ts)      progress   progress displays (see progress.ts)
 *   signal      the running cell's AbortSignal (aborted on interrupt)
 *   importESM   real dynamic import resolved from the notebook's folder (see esm.ts)
 *
 * The declarations are generated for the modules actually present, with absolute `import()` types, and are
 * prepended to the declarations carried from cell to cell, so each cell type-checks against them.
 */
import * as path from 'node:path';
import { display } from './display';
import { progress } from './progress';
import { importFrom } from './esm';
import { currentContext } from './context';

export interface Globals {
  /** name -> value (a getter for `signal`). */
  values: Record<string, unknown>;
  getters: Record<string, () => unknown>;
  /** `declare global { ... }` text. */
  declaration: string;
  /** Modules that could not be loaded (shown to the user once). */
  warnings: string[];
  preloads: string[];
}

/** tfjs types declared as global type names (a cell may still declare its own of the same name). */
const TF_TYPES = ['Tensor', 'Tensor1D', 'Tensor2D', 'Tensor3D', 'Tensor4D', 'Scalar', 'Variable', 'Sequential', 'LayersModel'];

const RESERVED = new Set(['tf', 'tram', 'charts', 'display', 'progress', 'signal', 'importESM', 'default', '__esModule']);

function tsPath(file: string): string {
  return JSON.stringify(file.replace(/\\/g, '/').replace(/(\.d)?\.(ts|js)$/, ''));
}

function isClass(v: unknown): boolean {
  return typeof v === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(v));
}

function loadOptional(file: string, label: string, warnings: string[]): Record<string, unknown> | undefined {
  try {
    require.resolve(file);
  } catch {
    return undefined;
  }
  try {
    return require(file) as Record<string, unknown>;
  } catch (e) {
    warnings.push(`${label} could not be loaded: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** Declarations for each value export of `mod`, as globals typed from `modPath`. */
function declareExports(mod: Record<string, unknown>, modPath: string, taken: Set<string>, values: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const name of Object.keys(mod)) {
    if (RESERVED.has(name) || taken.has(name) || name in globalThis || !/^[A-Za-z_$][\w$]*$/.test(name)) continue;
    taken.add(name);
    values[name] = mod[name];
    lines.push(`  const ${name}: typeof import(${modPath}).${name};`);
    if (isClass(mod[name])) lines.push(`  type ${name} = import(${modPath}).${name};`);
  }
  return lines;
}

export function buildGlobals(tf: unknown, tfPackageDir: string, cwd: string): Globals {
  const kernelDir = path.resolve(__dirname, '..');
  const warnings: string[] = [];
  const preloads = ['tf'];
  const values: Record<string, unknown> = {
    tf,
    display,
    progress,
    importESM: importFrom(cwd),
  };
  const getters: Record<string, () => unknown> = {
    signal: () => currentContext()?.signal ?? new AbortController().signal,
  };
  const d = (f: string) => tsPath(path.join(__dirname, f));
  const lines = [
    // An import alias, not a `const`, so that cells can also use tfjs's types: `let t: tf.Tensor2D`.
    '  export import tf = __tram_tf;',
    `  const display: import(${d('display')}).Display;`,
    `  type DisplayHandle = import(${d('display')}).DisplayHandle;`,
    `  const progress: import(${d('progress')}).ProgressFn;`,
    `  type Progress = import(${d('progress')}).Progress;`,
    `  /** Aborted when the running cell is interrupted; pass it to training loops. */`,
    `  const signal: AbortSignal;`,
    `  /** Real dynamic import() resolved from the notebook's folder (works for ES-module-only packages). */`,
    `  function importESM<T = any>(specifier: string): Promise<T>;`,
    // tfjs's everyday types under their short names, so cells need no \`type Tensor = tf.Tensor\` aliases.
    ...TF_TYPES.map((t) => `  type ${t} = __tram_tf.${t};`),
  ];
  preloads.push('display', 'progress', 'signal', 'importESM');
  const taken = new Set<string>();
  const lib = loadOptional(path.join(kernelDir, 'notebook'), 'the library (kernel/notebook)', warnings);
  if (lib) {
    values.tram = lib;
    lines.push(`  const tram: typeof import(${tsPath(path.join(kernelDir, 'notebook'))});`);
    preloads.push('tram');
  }
  const charts = loadOptional(path.join(kernelDir, 'charts'), 'the chart helpers (kernel/charts)', warnings);
  if (charts) {
    values.charts = charts;
    lines.push(`  const charts: typeof import(${tsPath(path.join(kernelDir, 'charts'))});`);
    preloads.push('charts');
    lines.push(...declareExports(charts, tsPath(path.join(kernelDir, 'charts')), taken, values));
  }
  if (lib) lines.push(...declareExports(lib, tsPath(path.join(kernelDir, 'notebook')), taken, values));
  preloads.push(...taken);
  const declaration = `import * as __tram_tf from ${tsPath(tfPackageDir)};\ndeclare global {\n${lines.join('\n')}\n}\n`;
  return { values, getters, declaration, warnings, preloads };
}
