/**
 * Issue #18, the file side of `tram run`: special files, output paths checked before anything runs, writes that
 * go through symlinks and keep the mode, numbers and nesting JSON cannot round-trip, nbformat schema errors that
 * name the field, and option values that overflow Node's timer. Each refusal is one line, exit 2, nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNotebook, writeNotebookAtomic, NotebookError } from '../../kernel/host/notebook';
import { numberIsExact, scanJson } from '../../kernel/host/jsonscan';
import { BACKENDS, MAX_TIMEOUT_S } from '../../kernel/cli/run';
import { PREFERENCES } from '../../kernel/backend/init';
import { repoRoot, tempDir } from './helpers';

const tram = path.join(repoRoot, 'bin', 'tram.js');
const good = () => ({
  nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: 'typescript' } },
  cells: [{ id: 'c1', cell_type: 'code', metadata: {}, source: ['1 + 1'], outputs: [], execution_count: null }],
});

function tramRun(args: string[], timeout = 30_000) {
  const r = spawnSync(process.execPath, [tram, 'run', ...args], { encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

function refusedOneLine(r: ReturnType<typeof tramRun>, pattern: RegExp): void {
  assert.equal(r.error, undefined, `tram run did not finish: ${r.error}`);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('usage:'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(r.stdout, /^\s+\[\d+\]/m, 'no cell ran');
}

test('numbers: exact when the double prints the same decimal, refused otherwise', () => {
  for (const ok of ['0', '-0', '1', '1.0', '10e-1', '0.1', '2.5e3', '1e21', '-3.25', '5e-324']) assert.ok(numberIsExact(ok), ok);
  for (const bad of ['12345678901234567890123', '9007199254740993', '1e400', '-1e400', '1e-400', '0.12345678901234567890']) assert.ok(!numberIsExact(bad), bad);
  assert.equal(scanJson('{"a": "1e400 in a string", "b": [[[1]]]}').depth, 4);
  assert.equal(scanJson('{"a": "1e400 in a string"}').lossy, undefined);
  assert.equal(scanJson('{"a": "x", "b": 1e400}').lossy?.literal, '1e400');
});

test('readNotebook names the invalid field for each kind the issue lists', () => {
  const dir = tempDir();
  const cases: [string, (nb: ReturnType<typeof good> & Record<string, unknown>) => void, RegExp][] = [
    ['metadata missing', (nb) => delete (nb as Partial<typeof nb>).metadata, /missing "metadata"/],
    ['metadata wrong type', (nb) => ((nb as Record<string, unknown>).metadata = []), /metadata must be object/],
    ['cell metadata missing', (nb) => delete (nb.cells[0] as Partial<(typeof nb.cells)[0]>).metadata, /cells\[0\] is missing "metadata"/],
    ['cell metadata wrong type', (nb) => ((nb.cells[0] as Record<string, unknown>).metadata = 'x'), /cells\[0\]\.metadata must be object/],
    ['nbformat_minor missing', (nb) => delete (nb as Partial<typeof nb>).nbformat_minor, /missing "nbformat_minor"/],
    ['nbformat_minor negative', (nb) => (nb.nbformat_minor = -1), /nbformat_minor must be an integer >= 0/],
    ['nbformat_minor string', (nb) => ((nb as Record<string, unknown>).nbformat_minor = '5'), /nbformat_minor must be integer/],
    ['nbformat_minor null', (nb) => ((nb as Record<string, unknown>).nbformat_minor = null), /nbformat_minor must be integer \(got null\)/],
    ['cell type Code', (nb) => (nb.cells[0].cell_type = 'Code'), /cells\[0\]\.cell_type must be one of/],
    ['cell type sql', (nb) => (nb.cells[0].cell_type = 'sql'), /"sql"/],
    ['cell type empty', (nb) => (nb.cells[0].cell_type = ''), /cell_type must be one of .* \(got ""\)/],
    ['source numbers', (nb) => ((nb.cells[0] as Record<string, unknown>).source = [1, 2]), /cells\[0\]\.source\[0\] must be string \(got number\)/],
    ['source nulls', (nb) => ((nb.cells[0] as Record<string, unknown>).source = [null]), /source\[0\] must be string \(got null\)/],
    ['id with a space', (nb) => (nb.cells[0].id = 'a b'), /cells\[0\]\.id must match/],
    ['id a number', (nb) => ((nb.cells[0] as Record<string, unknown>).id = 7), /cells\[0\]\.id must be string/],
    ['markdown with outputs', (nb) => nb.cells.push({ id: 'm', cell_type: 'markdown', metadata: {}, source: ['x'], outputs: [], execution_count: null }), /cells\[1\]\.(outputs|execution_count) is not allowed/],
    ['raw with outputs', (nb) => nb.cells.push({ id: 'r', cell_type: 'raw', metadata: {}, source: ['x'], outputs: [], execution_count: null }), /cells\[1\]\.(outputs|execution_count) is not allowed/],
    ['language_info a string', (nb) => ((nb.metadata as Record<string, unknown>).language_info = 'typescript'), /metadata\.language_info must be object/],
    ['cells missing', (nb) => delete (nb as Partial<typeof nb>).cells, /"cells" list is missing/],
  ];
  for (const [name, mutate, want] of cases) {
    const nb = good() as ReturnType<typeof good> & Record<string, unknown>;
    mutate(nb);
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.ipynb`);
    fs.writeFileSync(file, JSON.stringify(nb));
    assert.throws(() => readNotebook(file), (e: Error) => e instanceof NotebookError && want.test(e.message) && !e.message.includes('\n'), name);
  }
  // 10,000 levels: written as text (JSON.stringify itself overflows on it, which is the point).
  const deep = path.join(dir, 'deep.ipynb');
  const text = JSON.stringify(good());
  fs.writeFileSync(deep, text.replace('"metadata":{', `"metadata":{"deep":${'['.repeat(10000)}${']'.repeat(10000)},`));
  assert.throws(() => readNotebook(deep), /nested 10002 levels deep \(the limit is 256\)/);
  const ok = path.join(dir, 'ok.ipynb');
  fs.writeFileSync(ok, JSON.stringify(good()));
  assert.equal(readNotebook(ok).cells.length, 1);
});

test('writes go through a symlink and keep the mode; never onto a device or a folder', () => {
  const dir = tempDir();
  const real = path.join(dir, 'real.ipynb');
  const link = path.join(dir, 'link.ipynb');
  fs.writeFileSync(real, JSON.stringify(good()));
  fs.chmodSync(real, 0o640);
  fs.symlinkSync('real.ipynb', link);
  const nb = good();
  nb.cells[0].execution_count = 1 as never;
  writeNotebookAtomic(link, nb as never);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.equal(fs.statSync(real).mode & 0o777, 0o640);
  assert.equal(JSON.parse(fs.readFileSync(real, 'utf8')).cells[0].execution_count, 1);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['link.ipynb', 'real.ipynb'], 'no temporary file left');
  assert.throws(() => writeNotebookAtomic('/dev/null', nb as never), /character device/);
  assert.ok(fs.statSync('/dev/null').isCharacterDevice());
  assert.throws(() => writeNotebookAtomic(dir, nb as never), /is a folder/);
});

test('tram run refuses a FIFO at once instead of blocking on it', () => {
  const dir = tempDir();
  const fifo = path.join(dir, 'pipe.ipynb');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) return; // no mkfifo: nothing to check
  refusedOneLine(tramRun([fifo], 20_000), /FIFO/);
});

test('tram run checks the output path before running any cell', () => {
  const dir = tempDir();
  const nb = path.join(dir, 'nb.ipynb');
  fs.writeFileSync(nb, JSON.stringify(good()));
  const before = fs.readFileSync(nb);
  refusedOneLine(tramRun([nb, '--out', path.join(dir, 'missing', 'x.ipynb')]), /folder .*missing does not exist/);
  refusedOneLine(tramRun([nb, '--out', dir]), /is a folder/);
  refusedOneLine(tramRun([nb, '--out', '/proc/tram-x.ipynb']), /cannot write a file in \/proc/);
  refusedOneLine(tramRun([nb, '--out', '/dev/null']), /character device/);
  assert.ok(fs.readFileSync(nb).equals(before));
  assert.deepEqual(fs.readdirSync(dir), ['nb.ipynb']);
});

test('tram run refuses option values Node cannot honour, in one line', () => {
  const dir = tempDir();
  const nb = path.join(dir, 'nb.ipynb');
  fs.writeFileSync(nb, JSON.stringify(good()));
  assert.equal(MAX_TIMEOUT_S, 2147483);
  for (const v of ['3000000', '1e9', 'Infinity', '0', '-1', 'NaN', 'abc', '']) refusedOneLine(tramRun([nb, '--timeout', v]), /--timeout must be/);
  refusedOneLine(tramRun([nb, '--backend', 'bogus']), /--backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu/);
  assert.deepEqual([...BACKENDS], [...PREFERENCES], 'tram run accepts exactly the backends the kernel knows');
});
