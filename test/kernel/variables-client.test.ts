/**
 * The `variables` request over IPC (KernelClient.variables): the kernel lists the cells' variables after real
 * cells, reports the tf.memory() change of a leaking cell, and summarizes a tensor without leaking.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient } from '../../kernel/host/client';
import { tempDir } from './helpers';

let k: KernelClient;
before(async () => {
  k = await KernelClient.start({ cwd: tempDir() });
});
after(async () => {
  await k.shutdown();
});

async function run(cell: string, code: string): Promise<void> {
  const errors: string[] = [];
  const r = await k.execute(cell, code, (m) => { if (m.type === 'error') errors.push(m.evalue); });
  assert.equal(r.status, 'ok', errors.join('\n'));
}

test('variables after cells: a tensor, a model, a disposed tensor, preloads left out', async () => {
  const empty = await k.variables();
  assert.deepEqual(empty.variables, [], 'preloaded globals (tf, tram, the optimizers, ...) are not listed');
  await run('1', 'const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);\nconst old = tf.ones([4]); old.dispose();\nconst steps = 3;');
  await run('2', 'const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });');
  const r = await k.variables();
  const by = Object.fromEntries(r.variables.map((v) => [v.name, v]));
  assert.deepEqual(Object.keys(by).sort(), ['model', 'old', 'steps', 'x']);
  assert.deepEqual(by.x, { name: 'x', kind: 'tensor', type: 'Tensor', dtype: 'float32', shape: [2, 3], bytes: 24, disposed: false });
  assert.equal(by.old.disposed, true);
  assert.deepEqual([by.model.params, by.model.layers], [8, 1]); // 3*2 weights + 2 biases
  assert.deepEqual([by.steps.type, by.steps.preview], ['number', '3']);
  // The dense layer's kernel and bias were created by cell 2 (2 tensors, (6 + 2) * 4 bytes).
  assert.equal(r.memory.lastCell?.cell, '2');
  assert.equal(r.memory.lastCell?.tensors, 2);
  assert.equal(r.memory.lastCell?.bytes, 32);
});

test('a leaking cell shows as a memory change; a tidy one as none', async () => {
  await run('leak', 'for (let i = 0; i < 5; i++) tf.ones([3]).add(1);'); // each iteration leaves ones() and add(): 10
  const a = await k.variables();
  assert.deepEqual(a.memory.lastCell, { cell: 'leak', tensors: 10, bytes: 120 });
  await run('tidy', 'for (let i = 0; i < 5; i++) tf.tidy(() => { tf.ones([3]).add(1); });');
  const b = await k.variables();
  assert.deepEqual(b.memory.lastCell, { cell: 'tidy', tensors: 0, bytes: 0 });
  assert.equal(b.memory.numTensors, a.memory.numTensors);
});

test('a tensor summary on demand, and errors for what cannot be summarized', async () => {
  const r0 = await k.variables();
  const r = await k.variables({ summarize: 'x', maxValues: 4 });
  assert.deepEqual(r.summary, { name: 'x', dtype: 'float32', shape: [2, 3], size: 6, first: [1, 2, 3, 4], min: 1, max: 6, mean: 3.5, nanCount: 0, nonFiniteCount: 0 });
  const r2 = await k.variables();
  assert.equal(r2.memory.numTensors, r0.memory.numTensors, 'the summary left no tensor behind');
  assert.match((await k.variables({ summarize: 'old' })).summaryError ?? '', /'old' was disposed/);
  assert.match((await k.variables({ summarize: 'missing' })).summaryError ?? '', /no variable named 'missing'/);
  assert.match((await k.variables({ summarize: 'steps' })).summaryError ?? '', /'steps' is a number, not a tensor/);
});
