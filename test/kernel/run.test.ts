/**
 * `tram run` end to end: runs the notebooks in test/fixtures/notebooks through the real command and checks the
 * nbformat outputs it writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from './helpers';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'notebooks');
const tram = path.join(repoRoot, 'bin', 'tram.js');

interface Output { output_type: string; name?: string; text?: string; data?: Record<string, unknown>; ename?: string; evalue?: string; traceback?: string[]; execution_count?: number }
interface Cell { cell_type: string; source: string[]; outputs?: Output[]; execution_count?: number | null; id?: string; metadata?: unknown }

function runTram(args: string[]) {
  const r = spawnSync(process.execPath, [tram, 'run', ...args], { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Copy a fixture to a temp folder (with the files it imports), run it, return the written cells. */
function runFixture(name: string, extra: string[] = []) {
  const dir = tempDir('tram-run-test-');
  for (const f of fs.readdirSync(fixtures)) fs.copyFileSync(path.join(fixtures, f), path.join(dir, f));
  const input = path.join(dir, name);
  const out = path.join(dir, 'out.ipynb');
  const r = runTram([input, '--out', out, ...extra]);
  const cells: Cell[] = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')).cells : [];
  return { ...r, cells, input, out, dir };
}

const text = (c: Cell) => (c.outputs ?? []).map((o) => o.text ?? String(o.data?.['text/plain'] ?? '')).join('|');
const result = (c: Cell) => c.outputs?.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'];

test('cells: redeclaration, top-level await, ordered streams, tensors, importESM', () => {
  const r = runFixture('cells.ipynb');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const c = r.cells;
  assert.equal(c[0].cell_type, 'markdown');
  assert.equal(c[0].outputs, undefined, 'markdown cells are left alone');
  assert.equal(result(c[2]), '200', 'const x declared again in a later cell');
  assert.equal(c[2].execution_count, 2);
  assert.equal(result(c[3]), '42', 'top-level await');
  assert.deepEqual(
    c[4].outputs!.map((o) => [o.output_type, o.name ?? '', o.text ?? o.data?.['text/plain']]),
    [
      ['stream', 'stdout', 'one\n'],
      ['stream', 'stderr', 'two\n'],
      ['stream', 'stdout', 'three\n'],
      ['display_data', '', 'between'],
      ['stream', 'stdout', 'four\n'],
      ['execute_result', '', "'last'"],
    ],
  );
  assert.match(String(result(c[5])), /^Tensor float32 \[2, 2\]\n\s+\[\[1, 2\],\n\s+\[3, 4\]\]$/);
  const big = String(result(c[6]));
  assert.match(big, /^Tensor float32 \[10, 100\] \(1000 values\)/);
  assert.match(big, /min 0 {2}max 1 {2}mean 0\.5/);
  assert.ok(big.length < 300, 'a large tensor is summarised, not printed in full');
  assert.equal(result(c[7]), "'hello esm'");
  assert.match(r.stdout, /\[2\] ok\s+\d+\.\d\d s {2}const x = 1;/, 'one summary line per cell with its time');
});

test('displays: every MIME type, an updating display, progress, charts with a non-blank PNG', async () => {
  const r = runFixture('displays.ipynb');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const [rich, png, updating, prog, chart, live] = r.cells;
  const mimes = rich.outputs!.map((o) => Object.keys(o.data ?? {}).find((k) => k !== 'text/plain'));
  assert.deepEqual(mimes, ['text/html', 'text/markdown', 'application/json', 'image/svg+xml']);
  assert.deepEqual(rich.outputs![2].data!['application/json'], { a: 1, b: [1, 2] });
  assert.equal(png.outputs!.length, 1, 'the display handle is not echoed as a result');
  assert.match(String(png.outputs![0].data!['image/png']), /^iVBORw0KGgo/);
  assert.equal(updating.outputs!.length, 1, 'updates replace the display in place');
  assert.equal(updating.outputs![0].data!['text/plain'], 'step 4');
  assert.equal(prog.outputs!.length, 1);
  assert.match(String(prog.outputs![0].data!['text/plain']), /^fit {2}200\/200 {2}100% .* loss 0\.0050$/);
  for (const [cell, kind] of [[chart, 'execute_result'], [live, 'display_data']] as const) {
    const outs = cell.outputs!.filter((o) => o.data?.['application/vnd.tram.chart+json']);
    assert.equal(outs.length, 1);
    assert.equal(outs[0].output_type, kind);
    const data = outs[0].data!;
    assert.equal((data['application/vnd.tram.chart+json'] as { type: string }).type, 'line');
    await assertNonBlankPng(String(data['image/png']));
  }
  const liveCfg = live.outputs![0].data!['application/vnd.tram.chart+json'] as { data: { datasets: { data: unknown[] }[] } };
  assert.equal(liveCfg.data.datasets[0].data.length, 30, 'the live chart holds every pushed step after flush');
});

async function assertNonBlankPng(b64: string) {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { loadImage, createCanvas } = require('@napi-rs/canvas');
  const img = await loadImage(Buffer.from(b64, 'base64'));
  assert.ok(img.width > 50 && img.height > 50);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data as Uint8ClampedArray;
  const colors = new Set<number>();
  for (let i = 0; i < px.length; i += 4 * 7) colors.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
  assert.ok(colors.size > 5, `PNG looks blank (${colors.size} colours)`);
}

test('errors: a runtime error with the stack on cell lines, a type error with line:col, later cells see earlier state', () => {
  const r = runFixture('errors.ipynb', ['--allow-errors']);
  assert.equal(r.status, 0, 'errors are allowed');
  const [, runtime, typeErr, after] = r.cells;
  const e1 = runtime.outputs!.find((o) => o.output_type === 'error')!;
  assert.equal(e1.ename, 'RangeError');
  assert.equal(e1.evalue, 'bad value');
  assert.deepEqual(e1.traceback!.slice(0, 3), ['RangeError: bad value', '    at fail (cell 2:2:9)', '    at cell 2:4:1']);
  const e2 = typeErr.outputs!.find((o) => o.output_type === 'error')!;
  assert.equal(e2.ename, 'TypeScriptError');
  assert.match(e2.evalue!, /^cell 3:1:7 - Type 'string' is not assignable to type 'number'\./);
  assert.equal(result(after), '42');
  assert.match(r.stdout, /\[2\] error/);
});

test('without --allow-errors the run stops at the failing cell and exits 1', () => {
  const r = runFixture('errors.ipynb');
  assert.equal(r.status, 1);
  assert.equal(r.cells[3].outputs!.length, 0, 'cells after the failure do not run');
  assert.match(r.stdout, /1 failed, 2 skipped/);
});

test('timeout: the cell is interrupted, reported, and the run exits 1', () => {
  const t0 = Date.now();
  const r = runFixture('timeout.ipynb', ['--timeout', '2', '--allow-errors']);
  assert.equal(r.status, 1, 'a timeout fails the run even with --allow-errors');
  const err = r.cells[1].outputs!.find((o) => o.output_type === 'error')!;
  assert.equal(err.ename, 'Timeout');
  assert.match(err.evalue!, /longer than 2 s; the cell was interrupted/);
  assert.equal(result(r.cells[2]), '1', 'state survives the interrupt');
  assert.match(r.stdout, /\[2\] timeout/);
  assert.ok(Date.now() - t0 < 120_000);
});

test('a kernel that exits is reported in the cell and the next cell gets a new kernel', () => {
  const r = runFixture('died.ipynb', ['--allow-errors']);
  const [dead, next] = r.cells;
  assert.equal(text({ ...dead, outputs: dead.outputs!.filter((o) => o.output_type === 'stream') }), 'going\n');
  const err = dead.outputs!.find((o) => o.output_type === 'error')!;
  assert.equal(err.ename, 'KernelDied');
  assert.match(err.evalue!, /exited with code 3/);
  assert.equal(result(next), '2');
});

test('JavaScript notebooks run as JavaScript', () => {
  const r = runFixture('javascript.ipynb');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(result(r.cells[1]), '12');
});

test('--inplace changes only outputs and execution counts', () => {
  const dir = tempDir('tram-run-test-');
  const file = path.join(dir, 'nb.ipynb');
  fs.copyFileSync(path.join(fixtures, 'errors.ipynb'), file);
  const before = JSON.parse(fs.readFileSync(file, 'utf8'));
  const r = runTram([file, '--inplace', '--allow-errors']);
  assert.equal(r.status, 0);
  const after = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const nb of [before, after]) for (const c of nb.cells) { delete c.outputs; delete c.execution_count; }
  assert.deepEqual(after, before);
  assert.deepEqual(fs.readdirSync(dir), ['nb.ipynb'], 'no temp file is left behind');
});

test('malformed JSON and a wrong nbformat are refused with a clear message and left untouched', () => {
  for (const [name, msg] of [['malformed.ipynb', /not valid JSON/], ['nbformat3.ipynb', /not an nbformat 4 notebook \(got nbformat 3\)/]] as const) {
    const dir = tempDir('tram-run-test-');
    const file = path.join(dir, name);
    fs.copyFileSync(path.join(fixtures, name), file);
    const bytes = fs.readFileSync(file);
    const r = runTram([file, '--inplace']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, msg);
    assert.match(r.stderr, /was not changed/);
    assert.deepEqual(fs.readFileSync(file), bytes);
  }
});

test('usage errors exit 2', () => {
  assert.equal(runTram([]).status, 2);
  assert.equal(runTram(['a.ipynb', '--timeout', 'soon']).status, 2);
  assert.equal(runTram(['a.ipynb', '--out', 'x', '--inplace']).status, 2);
});
