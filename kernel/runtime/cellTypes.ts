/**
 * Editor intelligence for notebook cells, before (and without) a kernel: diagnostics, completions, hover,
 * signature help and go-to-definition for cell k of a notebook, given the text of every cell.
 *
 * Contract: cell k is checked exactly as the kernel checks it before running it after cells 0..k-1 ran in order.
 *
 *   D₀ = ''                                 (the preloaded globals G are prepended to every Dᵢ)
 *   Dᵢ₊₁ = tslab.convert(G + Dᵢ, cellᵢ).declOutput        when cellᵢ type-checks (the kernel's own step:
 *                                            later declarations of a name replace earlier ones, so re-running
 *                                            or re-declaring `const x` is not an error)
 *   Dᵢ₊₁ = Dᵢ + `declare let n: any` for each top-level name n of cellᵢ     when cellᵢ has errors (it would not
 *                                            run; its names get type `any` so no later cell shows false errors)
 *   diagnostics(k) = tslab.convert(G + Dₖ, cellₖ).diagnostics            (the kernel's pre-run check, verbatim)
 *
 * Completions, hover, signatures and definitions come from a TypeScript LanguageService over the same two files
 * the converter uses — `__prev__.d.ts` (G + Dₖ) and the cell — with the cell's scope nested in the declarations'
 * scope as tslab nests it, using the TypeScript that tslab ships (the kernel's checker). Offsets are UTF-16
 * offsets into the cell's text.
 *
 * Cost (#11): one tslab.convert per (Dᵢ, cellᵢ) pair, cached with both of its results (Dᵢ₊₁ and the diagnostics),
 * so typing in cell k converts cell k (and the cells below it whose Dᵢ changed) and re-checking the whole notebook
 * converts nothing else. Files on disk (lib.*.d.ts, @types/node, tfjs and the library's .d.ts) are read once per
 * process: the LanguageService asks for a snapshot of every file of the program on every edit.
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import type { Converter } from 'tslab/dist/converter';
import type { CellLanguage } from '../protocol';

export interface CellText {
  code: string;
  language?: CellLanguage;
}

export interface CellDiagnostic {
  /** Offsets into the cell's text. */
  start: number;
  end: number;
  line: number;
  character: number;
  message: string;
  code: number;
  /** 'error' | 'warning' | 'suggestion' | 'message' */
  category: string;
}

export interface CellCompletion {
  name: string;
  kind: string;
  sortText: string;
  insertText?: string;
  /** Replacement range in the cell (offsets), when TypeScript gives one. */
  replace?: { start: number; end: number };
}

export interface CellHover {
  /** `const x: number` — the signature line(s). */
  display: string;
  documentation: string;
  start: number;
  end: number;
}

export interface CellSignatures {
  signatures: { label: string; documentation: string; parameters: { label: string; documentation: string }[] }[];
  activeSignature: number;
  activeParameter: number;
}

export interface CellDefinition {
  /** A file on disk (a .d.ts or source of the library) or, for a symbol of a cell, the cell's index. */
  file?: string;
  cell?: number;
  start: { line: number; character: number };
  end: { line: number; character: number };
}

const PREFIX = 'export {};\n';

/** The globals' import alias (`__tram_tf`) reads as what cells write: `tf`. */
const tfName = (text: string) => text.replace(/\b__tram_tf\./g, 'tf.');

let tsModule: typeof TS | undefined;
function ts(): typeof TS {
  tsModule ??= require('@tslab/typescript-for-tslab') as typeof TS;
  return tsModule;
}

/** Top-level names a cell declares (variables, functions, classes, enums, types), for the `any` fallback. */
export function topLevelNames(code: string): string[] {
  const t = ts();
  const sf = t.createSourceFile('cell.ts', code, t.ScriptTarget.ES2022, false, t.ScriptKind.TS);
  const names: string[] = [];
  const bind = (n: TS.BindingName) => {
    if (t.isIdentifier(n)) names.push(n.text);
    else for (const e of n.elements) if (!t.isOmittedExpression(e)) bind(e.name);
  };
  for (const s of sf.statements) {
    if (t.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
    else if ((t.isFunctionDeclaration(s) || t.isClassDeclaration(s) || t.isEnumDeclaration(s)) && s.name) names.push(s.name.text);
  }
  return [...new Set(names)];
}

/** Snapshots of files on disk, read once per process (they do not change while the editor runs). */
const diskSnapshots = new Map<string, TS.IScriptSnapshot | null>();
function diskSnapshot(file: string): TS.IScriptSnapshot | undefined {
  let snap = diskSnapshots.get(file);
  if (snap === undefined) {
    const text = ts().sys.readFile(file);
    snap = text === undefined ? null : ts().ScriptSnapshot.fromString(text);
    diskSnapshots.set(file, snap);
  }
  return snap ?? undefined;
}

/** One tslab.convert of a cell against the declarations before it: the declarations after it, its diagnostics. */
interface CellStep {
  next: string;
  diagnostics: CellDiagnostic[];
}

const CACHE_LIMIT = 500;

export class CellTypeService {
  private converter: Converter | undefined;
  private readonly steps = new Map<string, CellStep>();
  private readonly cwd: string;
  private readonly declFile: string;
  private readonly cellFile: string;
  private declText = PREFIX;
  private cellText = PREFIX;
  private declVersion = 0;
  private cellVersion = 0;
  private ls: TS.LanguageService | undefined;

  /** `globals`: the kernel's ambient declarations (kernel/runtime/globals.ts `buildGlobals(...).declaration`). */
  constructor(private readonly globals: string, cwd?: string) {
    this.cwd = (cwd ?? ts().sys.getCurrentDirectory()).replace(/\\/g, '/');
    this.declFile = path.posix.join(this.cwd, '__prev__.d.ts');
    this.cellFile = path.posix.join(this.cwd, '__tram_cell__.ts');
  }

  private conv(): Converter {
    if (!this.converter) {
      const { createConverter } = require('tslab/dist/converter') as typeof import('tslab/dist/converter');
      this.converter = createConverter({ isJS: false, isBrowser: false });
    }
    return this.converter;
  }

  /** The kernel's step for a cell after declarations `decl` (cached by both texts). */
  private step(decl: string, code: string): CellStep {
    const key = `${decl}\u0000${code}`;
    let r = this.steps.get(key);
    if (r === undefined) {
      const out = this.conv().convert(this.globals + decl, code);
      const cat = ['warning', 'error', 'suggestion', 'message'];
      const diagnostics = out.diagnostics
        .filter((d) => !d.fileName)
        .map((d) => ({
          start: d.start.offset,
          end: d.end.offset,
          line: d.start.line,
          character: d.start.character,
          message: d.messageText,
          code: d.code,
          category: cat[d.category] ?? 'error',
        }));
      let next: string;
      if (out.diagnostics.length === 0) next = out.declOutput ?? decl;
      else next = decl + topLevelNames(code).map((n) => `declare let ${n}: any;\n`).join('');
      r = { next, diagnostics };
      if (this.steps.size >= CACHE_LIMIT) this.steps.delete(this.steps.keys().next().value as string); // oldest first
      this.steps.set(key, r);
    } else {
      // most recently used last, so the oldest entry is the one dropped
      this.steps.delete(key);
      this.steps.set(key, r);
    }
    return r;
  }

  /** Dₖ: the declarations cell `index` is checked against (without the globals). */
  declarationsBefore(cells: CellText[], index: number): string {
    let decl = '';
    for (let i = 0; i < index && i < cells.length; i++) decl = this.step(decl, cells[i].code).next;
    return decl;
  }

  /** The kernel's pre-run check of cell `index` after the cells before it. */
  diagnostics(cells: CellText[], index: number): CellDiagnostic[] {
    return this.step(this.declarationsBefore(cells, index), cells[index].code).diagnostics;
  }

  private service(cells: CellText[], index: number): { ls: TS.LanguageService; program: TS.Program } {
    const t = ts();
    const decl = PREFIX + this.globals + this.declarationsBefore(cells, index);
    const cell = PREFIX + cells[index].code;
    // Separate versions: typing in a cell re-parses the cell only, not the (large) declarations.
    if (decl !== this.declText) {
      this.declText = decl;
      this.declVersion++;
    }
    if (cell !== this.cellText) {
      this.cellText = cell;
      this.cellVersion++;
    }
    if (!this.ls) {
      const options: TS.CompilerOptions = {
        module: t.ModuleKind.ESNext,
        moduleResolution: t.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        target: t.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts'],
        declaration: true,
        experimentalDecorators: true,
        resolveJsonModule: true,
        allowJs: true,
        skipLibCheck: true,
        noEmit: true,
      };
      const files = () => [this.declFile, this.cellFile];
      const host: TS.LanguageServiceHost = {
        getCompilationSettings: () => options,
        getScriptFileNames: files,
        getScriptVersion: (f) => (f === this.declFile ? String(this.declVersion) : f === this.cellFile ? String(this.cellVersion) : '0'),
        getScriptSnapshot: (f) =>
          f === this.declFile ? t.ScriptSnapshot.fromString(this.declText) : f === this.cellFile ? t.ScriptSnapshot.fromString(this.cellText) : diskSnapshot(f),
        getCurrentDirectory: () => this.cwd,
        getDefaultLibFileName: (o) => t.getDefaultLibFilePath(o),
        fileExists: (f) => f === this.declFile || f === this.cellFile || t.sys.fileExists(f),
        readFile: (f) => (f === this.declFile ? this.declText : f === this.cellFile ? this.cellText : diskSnapshot(f)?.getText(0, diskSnapshot(f)!.getLength())),
        readDirectory: t.sys.readDirectory,
        directoryExists: t.sys.directoryExists,
        getDirectories: t.sys.getDirectories,
      };
      this.ls = t.createLanguageService(host, t.createDocumentRegistry());
    }
    const program = this.ls.getProgram()!;
    // The cell's scope sits inside the declarations' scope (as in tslab): its own names shadow earlier ones.
    (program.getSourceFile(this.cellFile) as { parent?: unknown }).parent = program.getSourceFile(this.declFile);
    return { ls: this.ls, program };
  }

  completions(cells: CellText[], index: number, offset: number, triggerCharacter?: string): CellCompletion[] {
    const { ls } = this.service(cells, index);
    const r = ls.getCompletionsAtPosition(this.cellFile, offset + PREFIX.length, {
      triggerCharacter: triggerCharacter as TS.CompletionsTriggerCharacter | undefined,
      includeCompletionsWithInsertText: true,
    });
    if (!r) return [];
    return r.entries.map((e) => {
      const span = e.replacementSpan ?? r.optionalReplacementSpan;
      return {
        name: e.name,
        kind: e.kind,
        sortText: e.sortText,
        insertText: e.insertText,
        replace: span ? { start: span.start - PREFIX.length, end: span.start + span.length - PREFIX.length } : undefined,
      };
    });
  }

  hover(cells: CellText[], index: number, offset: number): CellHover | undefined {
    const { ls } = this.service(cells, index);
    const info = ls.getQuickInfoAtPosition(this.cellFile, offset + PREFIX.length);
    if (!info) return undefined;
    const t = ts();
    const tags = (info.tags ?? []).map((tag) => `@${tag.name}${tag.text ? ` ${t.displayPartsToString(tag.text)}` : ''}`);
    let documentation = [t.displayPartsToString(info.documentation), ...tags].filter(Boolean).join('\n\n');
    if (!documentation) {
      // A preloaded global carries no comment of its own: show the library's.
      const defs = ls.getDefinitionAtPosition(this.cellFile, offset + PREFIX.length) ?? [];
      const g = defs.find((d) => d.fileName === this.declFile);
      if (g) documentation = this.globalOrigin(this.ls!.getProgram()!, g.textSpan.start)?.doc ?? '';
    }
    return {
      display: tfName(t.displayPartsToString(info.displayParts)),
      documentation,
      start: info.textSpan.start - PREFIX.length,
      end: info.textSpan.start + info.textSpan.length - PREFIX.length,
    };
  }

  signatureHelp(cells: CellText[], index: number, offset: number): CellSignatures | undefined {
    const { ls } = this.service(cells, index);
    const r = ls.getSignatureHelpItems(this.cellFile, offset + PREFIX.length, undefined);
    if (!r) return undefined;
    const t = ts();
    return {
      activeSignature: r.selectedItemIndex,
      activeParameter: r.argumentIndex,
      signatures: r.items.map((it) => {
        const params = it.parameters.map((p) => ({ label: tfName(t.displayPartsToString(p.displayParts)), documentation: t.displayPartsToString(p.documentation) }));
        const sep = t.displayPartsToString(it.separatorDisplayParts);
        const label = tfName(t.displayPartsToString(it.prefixDisplayParts)) + params.map((p) => p.label).join(sep) + tfName(t.displayPartsToString(it.suffixDisplayParts));
        return { label, documentation: t.displayPartsToString(it.documentation), parameters: params };
      }),
    };
  }

  /** Definitions of the symbol at `offset`: library files on disk (the .d.ts shipped with the kernel). */
  definition(cells: CellText[], index: number, offset: number): CellDefinition[] {
    const { ls, program } = this.service(cells, index);
    const defs = ls.getDefinitionAtPosition(this.cellFile, offset + PREFIX.length) ?? [];
    const out: CellDefinition[] = [];
    for (const d of defs) {
      const sf = program.getSourceFile(d.fileName);
      if (!sf) continue;
      if (d.fileName === this.cellFile) {
        const a = sf.getLineAndCharacterOfPosition(d.textSpan.start);
        const b = sf.getLineAndCharacterOfPosition(d.textSpan.start + d.textSpan.length);
        out.push({ cell: index, start: { line: a.line - 1, character: a.character }, end: { line: b.line - 1, character: b.character } });
        continue;
      }
      if (d.fileName === this.declFile) {
        // A preloaded global (`const x: typeof import("…").x`): follow it to the library's declaration.
        const lib = this.globalOrigin(program, d.textSpan.start);
        if (lib) out.push(lib.def);
        continue; // otherwise an earlier cell's declaration: no file on disk
      }
      const a = sf.getLineAndCharacterOfPosition(d.textSpan.start);
      const b = sf.getLineAndCharacterOfPosition(d.textSpan.start + d.textSpan.length);
      out.push({ file: d.fileName, start: a, end: b });
    }
    return out;
  }

  /** For a global declared in the globals text at `pos`, the library symbol it stands for. */
  private globalOrigin(program: TS.Program, pos: number): { def: CellDefinition; doc: string } | undefined {
    const t = ts();
    const text = this.declText;
    const lineStart = text.lastIndexOf('\n', pos) + 1;
    const lineEnd = text.indexOf('\n', pos);
    const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    const m = /typeof import\(("(?:[^"\\]|\\.)*")\)\.([A-Za-z_$][\w$]*)/.exec(line);
    if (!m) return undefined;
    const base = JSON.parse(m[1]) as string;
    const sf = program.getSourceFile(`${base}.d.ts`) ?? program.getSourceFile(`${base}/index.d.ts`);
    if (!sf) return undefined;
    const checker = program.getTypeChecker();
    const mod = checker.getSymbolAtLocation(sf);
    let sym = mod && checker.getExportsOfModule(mod).find((e) => e.name === m[2]);
    if (!sym) return undefined;
    if (sym.flags & t.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym.declarations?.[0];
    if (!decl) return undefined;
    const file = decl.getSourceFile();
    const nameNode = (decl as { name?: TS.Node }).name ?? decl;
    const a = file.getLineAndCharacterOfPosition(nameNode.getStart(file));
    const b = file.getLineAndCharacterOfPosition(nameNode.getEnd());
    const tags = sym.getJsDocTags(checker).map((tag) => `@${tag.name}${tag.text ? ` ${t.displayPartsToString(tag.text)}` : ''}`);
    const doc = [t.displayPartsToString(sym.getDocumentationComment(checker)), ...tags].filter(Boolean).join('\n\n');
    return { def: { file: file.fileName, start: a, end: b }, doc };
  }

  close(): void {
    this.converter?.close();
    this.ls?.dispose();
  }
}
