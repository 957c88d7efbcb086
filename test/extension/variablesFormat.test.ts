/** Rows of the Variables view (extension/variablesFormat.ts); expected strings written out by hand. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeMemory, describeRow, describeSummary, formatBytes } from '../../extension/variablesFormat';

test('bytes in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MB');
  assert.equal(formatBytes(-2048), '-2.0 KB');
});

test('tensor, disposed tensor, string tensor, model and value rows', () => {
  assert.equal(describeRow({ name: 'x', kind: 'tensor', type: 'Tensor', dtype: 'float32', shape: [2, 3], bytes: 24, disposed: false }), 'float32 [2,3] · 24 B');
  assert.equal(describeRow({ name: 'x', kind: 'tensor', type: 'Tensor', dtype: 'float32', shape: [2, 3], bytes: 24, disposed: true }), 'float32 [2,3] · disposed');
  assert.equal(describeRow({ name: 's', kind: 'tensor', type: 'Tensor', dtype: 'string', shape: [], disposed: false }), 'string []');
  assert.equal(describeRow({ name: 'm', kind: 'model', type: 'Sequential', params: 1, trainableParams: 0, layers: 1 }), 'Sequential · 1 param (0 trainable) · 1 layer');
  assert.equal(describeRow({ name: 'lr', kind: 'value', type: 'number', preview: '0.01' }), 'number = 0.01');
  assert.equal(describeRow({ name: 'a', kind: 'value', type: 'Array(3)' }), 'Array(3)');
});

test('memory row with the last cell change, growing and shrinking', () => {
  assert.equal(describeMemory({ numTensors: 1, numBytes: 4 }), '1 tensor · 4 B');
  assert.equal(describeMemory({ numTensors: 12, numBytes: 2048, lastCell: { cell: '3', tensors: 2, bytes: 32 } }), '12 tensors · 2.0 KB · cell 3: +2 tensors, +32 B');
  assert.equal(describeMemory({ numTensors: 10, numBytes: 2016, lastCell: { cell: '4', tensors: -2, bytes: -32 } }), '10 tensors · 2.0 KB · cell 4: -2 tensors, -32 B'); // 2016 / 1024 = 1.97
  assert.equal(describeMemory({ numTensors: 10, numBytes: 1000, lastCell: { cell: '4', tensors: 0, bytes: 0 } }), '10 tensors · 1000 B · cell 4: 0 tensors, 0 B');
});

test('summary text', () => {
  const text = describeSummary({ name: 't', dtype: 'float32', shape: [2, 3], size: 6, first: [1, -2, 3], min: -2, max: 'Infinity', mean: 1.5, nanCount: 1, nonFiniteCount: 2 });
  assert.equal(text, 't: float32 [2,3], 6 elements\n  min -2   max Infinity   mean 1.5\n  1 NaN, 2 non-finite in all\n  first values: [1, -2, 3, ... (3 more)]');
});
