/**
 * Runs cells: type-check and compile with tslab's converter (declarations of earlier cells carried forward,
 * so state and types persist and `const`/`let` can be declared again), then evaluate in this process.
 *
 * - Compile errors stop the cell before it runs and are reported as `cell <id>:<line>:<col> - error TSnnnn`.
 * - Code runs through `vm.runInThisContext` with `breakOnSigint`, so SIGINT stops a synchronous loop; an async
 *   cell is raced against the cell's interrupt promise and its AbortSignal is aborted.
 * - Runtime stacks are mapped back to cell lines; kernel-internal frames are dropped.
 * - `import(x)` in a cell becomes `importESM(x)` (a real dynamic import), so ES-module-only packages load.
 * - Local `.ts`/`.js` files imported by a cell are compiled by the converter and loaded from its output.
 */
import { escapeLineSeparators } from './linesep';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module, { createRequire } from 'node:module';
import type { Converter, Diagnostic } from 'tslab/dist/converter';
import { CellContext, cellScope } from './context';
import type { Globals } from './globals';
import { buildLineMap, LineMap } from './linemap';
import { importFrom } from './esm';
import { rewriteCellShorthands } from './shorthand';

import type { CellLanguage as Language, CellStatus } from '../protocol';
export type { Language };

export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface CellOutcome {
  status: CellStatus;
  /** true when the cell ended with an expression whose value is in `value`. */
  hasValue: boolean;
  value?: unknown;
  error?: CellError;
}

interface CompiledCell {
  label: string;
  map: LineMap;
}

const FILE_PREFIX = '__tram_cell_';
const INTERNAL_DIRS = [__dirname, path.dirname(require.resolve('tslab/package.json'))];

export function isInterruption(e: unknown): boolean {
  const err = e as { code?: string; name?: string } | undefined;
  return !!err && (err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' || err.name === 'InterruptedError');
}

export class CellExecutor {
  private prevDecl = '';
  private readonly converters: Partial<Record<Language, Converter>> = {};
  /** Variables of all cells (plus the preloaded globals), shared by reference with the compiled code. */
  readonly locals: Record<string, unknown> = {};
  private readonly exportsProxy: Record<string, unknown>;
  private readonly sideOutputs = new Map<string, string>();
  private readonly sideModules = new Map<string, NodeModule>();
  private readonly compiled = new Map<string, CompiledCell>();
  private seq = 0;
  private readonly require: NodeJS.Require;
  /**
   * Set while a debugger is attached (kernel/runtime/debug.ts): gets each cell's source and compiled code and
   * returns the text to append to the compiled code (its source map) and the script's file name to run it under
   * (an absolute path: a debugger takes a bare name for a Node internal and skips it), or undefined.
   */
  annotate?: (cell: string, code: string, compiled: string, map: LineMap, filename: string) => { filename: string; suffix: string } | undefined;

  constructor(private readonly cwd: string, private readonly globals: Globals) {
    for (const [k, v] of Object.entries(globals.values)) this.locals[k] = v;
    for (const [k, get] of Object.entries(globals.getters)) {
      Object.defineProperty(this.locals, k, { get, enumerable: true, configurable: true });
    }
    const locals = this.locals;
    this.exportsProxy = new Proxy(locals, {
      // Compiled code defines exports with defineProperty (getters for re-exports); store plain values so that
      // every name stays writable by later cells.
      defineProperty(_t, prop, attrs) {
        if (prop === '__esModule') return true;
        Object.defineProperty(locals, prop, {
          value: attrs.get ? attrs.get() : attrs.value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        return true;
      },
      set(_t, prop, value) {
        Object.defineProperty(locals, prop, { value, writable: true, enumerable: true, configurable: true });
        return true;
      },
    });
    this.require = this.makeRequire(cwd);
    (globalThis as Record<string, unknown>).__tram__ = {
      exports: this.exportsProxy,
      require: this.require,
      importESM: importFrom(cwd),
    };
  }

  /** The declarations a cell is checked against: preloaded globals, then everything earlier cells declared. */
  private declarations(): string {
    return this.globals.declaration + this.prevDecl;
  }

  converter(language: Language): Converter {
    let c = this.converters[language];
    if (!c) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { createConverter } = require('tslab/dist/converter') as typeof import('tslab/dist/converter');
      c = createConverter({ isJS: language === 'javascript', isBrowser: false });
      this.converters[language] = c;
    }
    return c;
  }

  /** Create the TypeScript converter and check a trivial cell, so the first real cell is fast. */
  warmUp(): void {
    this.converter('typescript').convert(this.declarations(), 'tf.version;');
  }

  complete(code: string, position: number, language: Language = 'typescript') {
    return this.converter(language).complete(this.declarations(), code, position);
  }

  inspect(code: string, position: number, language: Language = 'typescript'): string | undefined {
    const info = this.converter(language).inspect(this.declarations(), code, position);
    if (!info) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { printQuickInfo } = require('tslab/dist/inspect') as { printQuickInfo(i: unknown): string };
    return printQuickInfo(info);
  }

  async run(ctx: CellContext, code: string, language: Language = 'typescript'): Promise<CellOutcome> {
    const label = `cell ${ctx.cell}`;
    const converted = this.converter(language).convert(this.declarations(), escapeLineSeparators(code));
    if (converted.sideOutputs) {
      for (const out of converted.sideOutputs) {
        this.sideModules.delete(out.path);
        this.sideOutputs.set(out.path, out.data);
      }
    }
    if (converted.diagnostics.length > 0) {
      return { status: 'error', hasValue: false, error: this.compileError(label, code, converted.diagnostics) };
    }
    if (ctx.aborted) return { status: 'interrupted', hasValue: false };
    const nextDecl = converted.declOutput ?? '';
    if (!converted.output) {
      this.prevDecl = nextDecl;
      return { status: 'ok', hasValue: false };
    }
    const output = rewriteCellShorthands(rewriteDynamicImports(converted.output), (name) =>
      Object.prototype.hasOwnProperty.call(this.locals, name),
    );
    const filename = `${FILE_PREFIX}${++this.seq}.js`;
    const map = buildLineMap(code, output);
    this.compiled.set(filename, { label, map });
    const head = converted.hasToplevelAwait ? '(async function (exports, require, __tram_import__) {' : '(function (exports, require, __tram_import__) {';
    let wrapped = `${head}${output}\n})(__tram__.exports, __tram__.require, __tram__.importESM)`;
    const debug = this.annotate?.(ctx.cell, code, wrapped, map, filename);
    if (debug) wrapped += debug.suffix;
    // Variables declared before a failure or an interrupt keep their values, so keep their types too.
    this.prevDecl = nextDecl;
    try {
      const ret = cellScope.run(ctx, () => vm.runInThisContext(wrapped, { filename: debug?.filename ?? filename, breakOnSigint: true }));
      if (converted.hasToplevelAwait) await Promise.race([ret, ctx.interrupted]);
    } catch (e) {
      if (ctx.aborted || isInterruption(e)) return { status: 'interrupted', hasValue: false };
      return { status: 'error', hasValue: false, error: this.runtimeError(e) };
    }
    if (ctx.aborted) return { status: 'interrupted', hasValue: false };
    const key = converted.lastExpressionVar;
    if (key && Object.prototype.hasOwnProperty.call(this.locals, key)) {
      const value = this.locals[key];
      delete this.locals[key];
      if (value !== undefined) return { status: 'ok', hasValue: true, value };
    }
    return { status: 'ok', hasValue: false };
  }

  private compileError(label: string, code: string, diagnostics: Diagnostic[]): CellError {
    const lines = code.split('\n');
    const traceback: string[] = [];
    for (const d of diagnostics) {
      const where = d.fileName ? path.relative(this.cwd, d.fileName) : label;
      traceback.push(`${where}:${d.start.line + 1}:${d.start.character + 1} - error TS${d.code}: ${d.messageText}`);
      if (!d.fileName && lines[d.start.line] !== undefined) {
        const width = Math.max(1, d.end.line === d.start.line ? d.end.character - d.start.character : 1);
        traceback.push(`    ${lines[d.start.line]}`, `    ${' '.repeat(d.start.character)}${'~'.repeat(width)}`);
      }
    }
    const first = diagnostics[0];
    const at = `${first.fileName ? path.relative(this.cwd, first.fileName) : label}:${first.start.line + 1}:${first.start.character + 1}`;
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    return { ename: 'TypeScriptError', evalue: `${at} - ${first.messageText}${more}`, traceback };
  }

  /** name, message and a stack whose cell frames say `cell <id>:<line>:<col>`. */
  runtimeError(e: unknown): CellError {
    if (!(e instanceof Error) && !(e && typeof e === 'object' && 'stack' in e)) {
      const evalue = typeof e === 'string' ? e : require('node:util').inspect(e);
      return { ename: 'Uncaught', evalue, traceback: [`Uncaught ${evalue}`] };
    }
    const err = e as Error;
    const ename = err.name || 'Error';
    const evalue = err.message ?? '';
    const frames: string[] = [];
    for (const raw of String(err.stack ?? '').split('\n')) {
      const line = raw.trimEnd();
      if (!/^\s+at /.test(line)) continue;
      const mapped = this.mapFrame(line);
      if (mapped) frames.push(mapped);
    }
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
  }

  private mapFrame(line: string): string | undefined {
    const m = new RegExp(`(${FILE_PREFIX}\\d+\\.js):(\\d+):(\\d+)`).exec(line);
    if (m) {
      const cell = this.compiled.get(m[1]);
      if (!cell) return line;
      const l = Number(m[2]), c = Number(m[3]);
      const src = cell.map.line(l);
      if (!src) return undefined; // the wrapper around the cell's code
      const where = `${cell.label}:${src}:${cell.map.column(l, c)}`;
      return line.replace(/\(?[^\s(]*__tram_cell_\d+\.js:\d+:\d+\)?/, (s) => (s.startsWith('(') ? `(${where})` : where))
        .replace(/at __tram_cell_\d+\.js/, 'at');
    }
    if (/\(node:|at node:|\(internal\/|node:internal/.test(line)) return undefined;
    if (INTERNAL_DIRS.some((d) => line.includes(d))) return undefined;
    return line;
  }

  private makeRequire(dir: string): NodeJS.Require {
    const base = createRequire(path.join(dir, '__cell__.js'));
    const self = this;
    const req = function (id: string) {
      const side = self.loadSide(id, dir);
      return side ?? base(id);
    } as NodeJS.Require;
    Object.assign(req, { resolve: base.resolve, cache: base.cache, main: base.main, extensions: base.extensions });
    return req;
  }

  /** Loads a local module compiled by the converter (an imported `.ts` file next to the notebook). */
  private loadSide(id: string, dir: string): unknown {
    if (!id.startsWith('.') && !path.isAbsolute(id)) return undefined;
    let filename = path.resolve(dir, id);
    if (!path.extname(filename)) filename += '.js';
    filename = filename.replace(/\.ts$/, '.js');
    const cached = this.sideModules.get(filename);
    if (cached) return cached.exports;
    const code = this.sideOutputs.get(filename);
    if (code === undefined) return undefined;
    const M = Module as unknown as { new (id: string, parent?: NodeModule): NodeModule & { _compile(c: string, f: string): void }; _nodeModulePaths(d: string): string[] };
    const mod = new M(filename, module);
    mod.filename = filename;
    mod.paths = M._nodeModulePaths(path.dirname(filename));
    (mod as unknown as { require: NodeJS.Require }).require = this.makeRequire(path.dirname(filename));
    this.sideModules.set(filename, mod);
    mod._compile(code, filename);
    return mod.exports;
  }

  close(): void {
    for (const c of Object.values(this.converters)) c?.close();
  }
}

/** `import(x)` compiled to `require` becomes a real dynamic import. */
export function rewriteDynamicImports(js: string): string {
  return js
    .replace(/Promise\.resolve\(\)\.then\(\(\) => __importStar\(require\(("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\)\)\)/g, '__tram_import__($1)')
    .replace(/Promise\.resolve\((`\$\{[\s\S]*?\}`)\)\.then\((\w+) => __importStar\(require\(\2\)\)\)/g, '__tram_import__($1)');
}
