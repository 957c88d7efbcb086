/**
 * The TypeScript server plugin (extension/tsServerPlugin.ts) around a real TypeScript LanguageService: in cells of
 * the notebooks it is told about, hover, completion and signature help give nothing; in other notebooks' cells and
 * in plain files they are TypeScript's own. Expected values: what the unwrapped service answers (TypeScript's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import plugin from '../../extension/tsServerPlugin';

const TRAM = '/work/nb/train.ipynb';
const cell = (nb: string, c: string) => `^/vscode-notebook-cell/ts-nul-authority${nb}#${c}`;
const FILES: Record<string, string> = {
  [cell(TRAM, 'W0sZmlsZQ==')]: 'const t = 1;\nt.toFixed(2);\n',
  [cell('/work/nb/other.ipynb', 'W0sZmlsZQ==')]: 'const u = 1;\nu.toFixed(2);\n',
  '/work/src/a.ts': 'const v = 1;\nv.toFixed(2);\n',
};

function service(): ts.LanguageService {
  const host: ts.LanguageServiceHost = {
    // as tsserver sets up VS Code's cells: files without a .ts extension, their kind given by the editor
    getCompilationSettings: () => ({ target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], noEmit: true, allowNonTsExtensions: true }) as ts.CompilerOptions,
    getScriptKind: (f) => (f in FILES ? ts.ScriptKind.TS : ts.ScriptKind.Unknown),
    getScriptFileNames: () => Object.keys(FILES),
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => (f in FILES ? ts.ScriptSnapshot.fromString(FILES[f]) : ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)!) : undefined),
    getCurrentDirectory: () => '/work',
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f in FILES || ts.sys.fileExists(f),
    readFile: (f) => FILES[f] ?? ts.sys.readFile(f),
  };
  return ts.createLanguageService(host);
}

test('tsserver file names of notebook cells name their notebook', () => {
  assert.equal(plugin.cellNotebookPath(cell(TRAM, 'W0sZmlsZQ==')), TRAM);
  assert.equal(plugin.cellNotebookPath('^/vscode-notebook-cell/ts-nul-authority/c:/Users/me/x.ipynb#W1'), '/c:/Users/me/x.ipynb');
  assert.equal(plugin.cellNotebookPath('/work/src/a.ts'), undefined);
  assert.equal(plugin.cellNotebookPath('^/untitled/ts-nul-authority/Untitled-1'), undefined);
});

test('hover, completion and signature help are silent in TRAM cells only', () => {
  const inner = service();
  const mod = plugin();
  const ls = mod.create({ languageService: inner } as unknown as ts.server.PluginCreateInfo);
  const at = (f: string) => FILES[f].indexOf('.toFixed') - 1; // on the variable
  const dot = (f: string) => FILES[f].indexOf('.toFixed') + 1; // after the dot
  const call = (f: string) => FILES[f].indexOf('(2)') + 1; // inside the call
  const names = Object.keys(FILES);
  // before any configuration: nothing is a TRAM cell
  for (const f of names) assert.ok(ls.getQuickInfoAtPosition(f, at(f)), f);
  mod.onConfigurationChanged!({ notebooks: [TRAM] });
  const [tram, other, plain] = names;
  assert.equal(ls.getQuickInfoAtPosition(tram, at(tram)), undefined);
  assert.equal(ls.getCompletionsAtPosition(tram, dot(tram), {}), undefined);
  assert.equal(ls.getSignatureHelpItems(tram, call(tram), {}), undefined);
  for (const f of [other, plain]) {
    assert.equal(ts.displayPartsToString(ls.getQuickInfoAtPosition(f, at(f))!.displayParts), ts.displayPartsToString(inner.getQuickInfoAtPosition(f, at(f))!.displayParts));
    assert.ok(ls.getCompletionsAtPosition(f, dot(f), {})!.entries.some((e) => e.name === 'toFixed'), f);
    assert.match(ts.displayPartsToString(ls.getSignatureHelpItems(f, call(f), {})!.items[0].parameters[0].displayParts), /fractionDigits/);
  }
  assert.equal(ts.displayPartsToString(ls.getQuickInfoAtPosition(plain, at(plain))!.displayParts), 'const v: 1');
  // other calls pass through; the TRAM cell's syntax is still checked by the built-in TypeScript
  assert.deepEqual(ls.getSyntacticDiagnostics(tram), inner.getSyntacticDiagnostics(tram));
  // the notebook stops using the kernel: its cells get the built-in answers again
  mod.onConfigurationChanged!({ notebooks: [] });
  assert.ok(ls.getQuickInfoAtPosition(tram, at(tram)));
});
