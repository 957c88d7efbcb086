/**
 * The notebook-cell language service (kernel/runtime/cellTypes.ts) on sequences of cells, as the editor sends
 * them: completion, hover, signature help, definition and the pre-run diagnostics, with re-run cells,
 * redeclarations, cells edited after running, cells that would fail and interrupted cells.
 * Expected values are TypeScript's rules written out by hand (the types of literals, the last declaration wins).
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CellTypeService, topLevelNames } from '../../kernel/runtime/cellTypes';
import { kernelGlobalsDeclaration } from '../../kernel/runtime/typesServer';

let svc: CellTypeService;
before(() => {
  svc = new CellTypeService(kernelGlobalsDeclaration());
});
after(() => svc.close());

const cells = (...codes: string[]) => codes.map((code) => ({ code }));
const names = (c: { name: string }[]) => c.map((e) => e.name);
const errorCodes = (d: { code: number }[]) => d.map((e) => e.code);

test('tf.tens offers the tensor factories of tfjs', () => {
  const c = cells('const x = 1;', 'tf.tens');
  const got = names(svc.completions(c, 1, 'tf.tens'.length, undefined));
  for (const n of ['tensor', 'tensor1d', 'tensor2d', 'tensor3d']) assert.ok(got.includes(n), `${n} missing from ${got.slice(0, 20)}`);
  assert.ok(!got.includes('document'), 'no DOM globals');
});

test("createOptimizer({ name: ' offers the method names, not DOM globals", () => {
  const code = "const o = createOptimizer({ name: '";
  const got = names(svc.completions(cells(code), 0, code.length, "'"));
  for (const n of ['sam', 'asam', 'fisher-sam', 'tram', 'tram-fisher', 'r3f']) assert.ok(got.includes(n), `${n} missing from ${got}`);
  assert.ok(!got.includes('window') && !got.includes('HTMLElement'));
});

test('object-literal keys of a method config are offered', () => {
  const code = "createOptimizer({ name: 'sam', ";
  const got = names(svc.completions(cells(code), 0, code.length, undefined));
  assert.ok(got.includes('rho'), `rho missing from ${got}`);
});

test('a type error is reported before the cell runs, at its position', () => {
  const code = 'const ok = 1;\nconst n: number = "x";';
  const d = svc.diagnostics(cells(code), 0);
  assert.deepEqual(errorCodes(d), [2322]);
  assert.equal(d[0].line, 1);
  assert.equal(code.slice(d[0].start, d[0].end), 'n');
  assert.match(d[0].message, /Type 'string' is not assignable to type 'number'/);
});

test('an earlier cell variable has its declared type in later cells (hover and completion)', () => {
  const c = cells('const t = tf.tensor2d([[1, 2]]);\nlet count = 3;', 'count + t.rank');
  const h = svc.hover(c, 1, 0);
  assert.equal(h?.display, 'let count: number');
  assert.equal(h?.start, 0);
  assert.equal(h?.end, 5);
  assert.equal(svc.hover(c, 1, 'count + t'.length - 1)?.display, 'const t: tf.Tensor2D');
  assert.ok(names(svc.completions(c, 1, 'count + t.'.length, '.')).includes('shape'));
  assert.deepEqual(svc.diagnostics(c, 1), []);
});

test('re-running a cell and redeclaring a const are not errors; the last declaration wins', () => {
  const c = cells("const a = 1;", "const a = 'text';", "const a = 'text';", 'const n: number = a;');
  assert.deepEqual(svc.diagnostics(c, 1), []);
  assert.deepEqual(svc.diagnostics(c, 2), []);
  assert.deepEqual(errorCodes(svc.diagnostics(c, 3)), [2322]); // a is string now
  assert.equal(svc.hover(c, 3, 'const n: number = '.length)?.display, 'const a: "text"');
});

test('a cell edited after it ran is seen as it reads now', () => {
  const before = cells('let x = 1;', 'x');
  assert.equal(svc.hover(before, 1, 0)?.display, 'let x: number');
  const edited = cells("let x = 'one';", 'x');
  assert.equal(svc.hover(edited, 1, 0)?.display, 'let x: string');
  // and back: the cache returns the first answer again
  assert.equal(svc.hover(before, 1, 0)?.display, 'let x: number');
});

test('a cell with errors causes no false errors below it; its names are any', () => {
  const c = cells('const bad: number = "x";\nconst good = 2;\nfunction f() { return 1; }', 'good.toFixed(); f(); bad;', 'missing;');
  assert.deepEqual(errorCodes(svc.diagnostics(c, 0)), [2322]);
  assert.deepEqual(svc.diagnostics(c, 1), []);
  assert.deepEqual(errorCodes(svc.diagnostics(c, 2)), [2304]); // a name declared nowhere is still an error
  assert.equal(svc.hover(c, 1, 0)?.display, 'let good: any');
});

test('an interrupted cell keeps the types of what it declared (as the kernel does)', () => {
  const c = cells('let i = 0;\nwhile (true) { i++; await new Promise((r) => setTimeout(r, 10)); }', 'i.toFixed(2)');
  assert.deepEqual(svc.diagnostics(c, 0), []); // top-level await is fine
  assert.deepEqual(svc.diagnostics(c, 1), []);
  assert.equal(svc.hover(c, 1, 0)?.display, 'let i: number');
});

test('hover on a library global shows its type and its doc comment', () => {
  const h = svc.hover(cells('createOptimizer'), 0, 3);
  assert.match(h?.display ?? '', /createOptimizer: \(method: MethodConfig/);
  assert.match(h?.documentation ?? '', /Builds the optimizer for a method config/);
});

test('signature help inside tf.tensor2d( names its parameters', () => {
  const code = 'tf.tensor2d([[1]], ';
  const s = svc.signatureHelp(cells(code), 0, code.length);
  assert.ok(s);
  assert.equal(s.activeParameter, 1);
  assert.deepEqual(s.signatures[0].parameters.map((p) => p.label.split(/[?:]/)[0]), ['values', 'shape', 'dtype']);
});

test('go to definition leads to the library declaration files', () => {
  const opt = svc.definition(cells('createOptimizer'), 0, 3);
  assert.equal(opt.length, 1);
  assert.match(opt[0].file ?? '', /kernel\/optim\/config\.d\.ts$/);
  const t2 = svc.definition(cells('tf.tensor2d'), 0, 5);
  assert.match(t2[0]?.file ?? '', /tfjs-core\/dist\/ops\/tensor2d\.d\.ts$/);
  const local = svc.definition(cells('const q = 1;\nq'), 0, 13);
  assert.deepEqual(local, [{ cell: 0, start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }]);
});

test('topLevelNames lists what a cell declares', () => {
  assert.deepEqual(topLevelNames('const [a, { b }] = f();\nlet c = 1, d;\nfunction g() { const inner = 1; }\nclass K {}'), ['a', 'b', 'c', 'd', 'g', 'K']);
});

// #11, cost: the editor re-checks every cell after each edit; only the cells whose text or declarations changed may
// be converted again, and the LanguageService must not read the library's files from disk again on every edit.
test('after an edit, checking every cell converts only the edited cell and those whose declarations changed', () => {
  const conv = (svc as unknown as { conv(): { convert: (...a: unknown[]) => unknown } }).conv();
  const convert = conv.convert;
  let calls = 0;
  conv.convert = (...a: unknown[]) => {
    calls++;
    return convert.apply(conv, a);
  };
  try {
    const checkAll = (c: { code: string }[]) => {
      calls = 0;
      const d = c.map((_, i) => errorCodes(svc.diagnostics(c, i)));
      return { calls, d };
    };
    const nb = (first: string, last: string) => cells(first, 'const b2 = a2 + 1;', last);
    assert.deepEqual(checkAll(nb('const a2 = 1;', 'b2.toFixed(1);')).d, [[], [], []]);
    assert.deepEqual(checkAll(nb('const a2 = 1;', 'b2.toFixed(1);')), { calls: 0, d: [[], [], []] }); // nothing changed
    assert.deepEqual(checkAll(nb('const a2 = 1;', 'b2.toFixed(2);')), { calls: 1, d: [[], [], []] }); // the last cell
    assert.deepEqual(checkAll(nb('const a2 = 1; // note', 'b2.toFixed(2);')), { calls: 1, d: [[], [], []] }); // same declarations below
    assert.deepEqual(checkAll(nb("const a2 = 'one';", 'b2.toFixed(2);')), { calls: 3, d: [[], [], [2551]] }); // b2 is a string now: "Property 'toFixed' does not exist … Did you mean 'fixed'?"
  } finally {
    conv.convert = convert;
  }
});

test('completions after an edit read no file from disk again', () => {
  const sys = (require('@tslab/typescript-for-tslab') as typeof import('typescript')).sys;
  const readFile = sys.readFile;
  const read: string[] = [];
  sys.readFile = (f, enc) => {
    read.push(f);
    return readFile.call(sys, f, enc);
  };
  try {
    assert.ok(names(svc.completions(cells('const z = 1;', 'tf.'), 1, 3, '.')).includes('tensor2d'));
    const edited = cells('const z = 2;', 'z; tf.');
    svc.declarationsBefore(edited, 1); // the converter's part, so that only the LanguageService runs below
    read.length = 0;
    assert.ok(names(svc.completions(edited, 1, 6, '.')).includes('tensor2d'));
    assert.deepEqual(read, []);
  } finally {
    sys.readFile = readFile;
  }
});
