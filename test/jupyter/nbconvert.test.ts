/**
 * The kernelspec under Debian's Jupyter: `tram jupyter install --prefix` into a temp folder, then
 * `jupyter nbconvert --to notebook --execute` on a small notebook, checking the outputs Jupyter wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { autoBackend } from '../native-rerun';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const python = '/usr/bin/python3';
const hasJupyter = fs.existsSync(python) && spawnSync(python, ['-m', 'jupyter', 'nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
const skip = hasJupyter ? false : `${python} has no jupyter nbconvert (apt-get install jupyter-client python3-nbclient jupyter-nbconvert python3-ipykernel)`;

function notebook(cells: string[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tram', display_name: 'TRAM TypeScript', language: 'typescript' } },
    cells: cells.map((src, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, source: src, outputs: [], execution_count: null })),
  };
}

function setup(cells: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-jupyter-test-'));
  const prefix = path.join(dir, 'prefix');
  const inst = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tram.js'), 'jupyter', 'install', '--prefix', prefix], { encoding: 'utf8' });
  assert.equal(inst.status, 0, inst.stderr);
  const spec = JSON.parse(fs.readFileSync(path.join(prefix, 'share', 'jupyter', 'kernels', 'tram', 'kernel.json'), 'utf8'));
  assert.equal(spec.display_name, 'TRAM TypeScript');
  assert.equal(spec.interrupt_mode, 'signal');
  fs.writeFileSync(path.join(dir, 'nb.ipynb'), JSON.stringify(notebook(cells)));
  return { dir, prefix };
}

function nbconvert(dir: string, prefix: string, extra: string[] = []) {
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime') };
  return spawnSync(python, ['-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tram',
    '--ExecutePreprocessor.timeout=120', ...extra, '--output', 'out.ipynb', 'nb.ipynb'], { cwd: dir, env, encoding: 'utf8', timeout: 240_000 });
}

type Out = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]>; ename?: string; evalue?: string };
const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');

test('jupyter nbconvert --execute runs a notebook on the TRAM kernelspec', { skip }, () => {
  const { dir, prefix } = setup([
    'const a: number = 20;\nconsole.log("hello from", tf.getBackend());',
    'const a = 21;\nawait Promise.resolve(a * 2)',
    'const h = display.text("0");\nfor (let i = 1; i <= 3; i++) { await new Promise((r) => setTimeout(r, 60)); h.text(String(i)); }',
    'tf.ones([2, 2]).sum()',
  ]);
  const r = nbconvert(dir, prefix);
  assert.equal(r.status, 0, r.stderr);
  const cells = JSON.parse(fs.readFileSync(path.join(dir, 'out.ipynb'), 'utf8')).cells as { outputs: Out[]; execution_count: number }[];
  assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3, 4]);
  assert.equal(join(cells[0].outputs[0].text), `hello from ${autoBackend()}\n`); // native TensorFlow where scripts/setup-native.sh built it
  const res = cells[1].outputs.find((o) => o.output_type === 'execute_result')!;
  assert.equal(join(res.data!['text/plain']), '42');
  const shown = cells[2].outputs.filter((o) => o.output_type === 'display_data');
  assert.equal(shown.length, 1, 'nbclient applies update_display_data in place');
  assert.equal(join(shown[0].data!['text/plain']), '3');
  assert.match(join(cells[3].outputs[0].data!['text/plain']), /^Tensor float32 \[\]\n\s+4$/);
});

test('an error reaches Jupyter as an error output, and --allow-errors still runs the next cell', { skip }, () => {
  const { dir, prefix } = setup(['const kept = 5;', 'const bad: string = 1;', 'kept * 2']);
  const failing = nbconvert(dir, prefix);
  assert.notEqual(failing.status, 0, 'nbconvert fails on a cell error');
  assert.match(failing.stderr, /TypeScriptError/);
  const r = nbconvert(dir, prefix, ['--allow-errors']);
  assert.equal(r.status, 0, r.stderr);
  const cells = JSON.parse(fs.readFileSync(path.join(dir, 'out.ipynb'), 'utf8')).cells as { outputs: Out[] }[];
  const err = cells[1].outputs.find((o) => o.output_type === 'error')!;
  assert.equal(err.ename, 'TypeScriptError');
  assert.match(err.evalue!, /cell 2:1:7 - Type 'number' is not assignable to type 'string'/);
  assert.equal(join(cells[2].outputs.find((o) => o.output_type === 'execute_result')!.data!['text/plain']), '10');
});
