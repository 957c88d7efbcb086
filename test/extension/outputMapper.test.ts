import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { KernelMessage } from '../../kernel/protocol';
import { CHART_MIME } from '../../kernel/protocol';
import { CellOutputMapper, ERROR_MIME, STDERR_MIME, STDOUT_MIME, bundleToItems, type OutputItem, type OutputSink } from '../../extension/outputMapper';

/** A sink that keeps the cell's outputs as VS Code would show them. */
class FakeCell implements OutputSink<number> {
  outputs: { items: OutputItem[]; metadata?: Record<string, unknown> }[] = [];
  ops: string[] = [];
  create(items: OutputItem[], metadata?: Record<string, unknown>): number {
    this.outputs.push({ items: [...items], metadata });
    this.ops.push('create');
    return this.outputs.length - 1;
  }
  append(o: number, items: OutputItem[]): void {
    this.outputs[o].items.push(...items);
    this.ops.push(`append ${o}`);
  }
  replace(o: number, items: OutputItem[]): void {
    this.outputs[o].items = [...items];
    this.ops.push(`replace ${o}`);
  }
  text(o: number): string {
    return this.outputs[o].items.map((i) => new TextDecoder().decode(i.data)).join('');
  }
}

const run = (msgs: KernelMessage[]) => {
  const cell = new FakeCell();
  const m = new CellOutputMapper(cell);
  for (const msg of msgs) m.handle(msg);
  return cell;
};

test('consecutive stdout chunks stream into one output', () => {
  const cell = run([
    { type: 'stream', cell: 'c', name: 'stdout', text: 'step 1\n' },
    { type: 'stream', cell: 'c', name: 'stdout', text: 'step 2\n' },
  ]);
  assert.deepEqual(cell.ops, ['create', 'append 0']);
  assert.equal(cell.text(0), 'step 1\nstep 2\n');
  assert.ok(cell.outputs[0].items.every((i) => i.mime === STDOUT_MIME));
});

test('stderr, and a display in between, start new outputs', () => {
  const cell = run([
    { type: 'stream', cell: 'c', name: 'stdout', text: 'a' },
    { type: 'stream', cell: 'c', name: 'stderr', text: 'warn' },
    { type: 'display', cell: 'c', data: { 'text/plain': 'x' }, displayId: 'd1' },
    { type: 'stream', cell: 'c', name: 'stderr', text: 'more' },
  ]);
  assert.deepEqual(cell.ops, ['create', 'create', 'create', 'create']);
  assert.equal(cell.outputs[1].items[0].mime, STDERR_MIME);
  assert.equal(cell.text(3), 'more');
});

test('a display update with a known id replaces that output in place; others are untouched', () => {
  const cell = run([
    { type: 'display', cell: 'c', data: { 'text/plain': 'epoch 0' }, displayId: 'p' },
    { type: 'display', cell: 'c', data: { 'text/plain': 'other' }, displayId: 'q' },
    { type: 'display', cell: 'c', data: { 'text/plain': 'epoch 5' }, displayId: 'p', update: true },
    { type: 'display', cell: 'c', data: { 'text/plain': 'epoch 9' }, displayId: 'p', update: true },
  ]);
  assert.equal(cell.outputs.length, 2);
  assert.deepEqual(cell.ops, ['create', 'create', 'replace 0', 'replace 0']);
  assert.equal(cell.text(0), 'epoch 9');
  assert.equal(cell.text(1), 'other');
});

test('an update for an id this cell never showed creates a new output', () => {
  const cell = run([{ type: 'display', cell: 'c', data: { 'text/plain': 'late' }, displayId: 'zz', update: true }]);
  assert.deepEqual(cell.ops, ['create']);
});

test('a chart bundle becomes items with the chart first, PNG bytes decoded, text last', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  const items = bundleToItems({ 'text/plain': 'Chart: loss', [CHART_MIME]: { type: 'line', data: { datasets: [] } }, 'image/png': png.toString('base64') });
  assert.deepEqual(items.map((i) => i.mime), [CHART_MIME, 'image/png', 'text/plain']);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(items[0].data)), { type: 'line', data: { datasets: [] } });
  assert.deepEqual(Buffer.from(items[1].data), png);
});

test('an error becomes VS Code\'s error item with the traceback as stack', () => {
  const cell = run([
    { type: 'stream', cell: 'c', name: 'stdout', text: 'before' },
    { type: 'error', cell: 'c', ename: 'TypeError', evalue: 'x is not a function', traceback: ['TypeError: x is not a function', '    at cell line 3'] },
  ]);
  const item = cell.outputs[1].items[0];
  assert.equal(item.mime, ERROR_MIME);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(item.data)), {
    name: 'TypeError',
    message: 'x is not a function',
    stack: 'TypeError: x is not a function\n    at cell line 3',
  });
});

test('a result after output is its own output; done and empty streams add nothing', () => {
  const cell = run([
    { type: 'stream', cell: 'c', name: 'stdout', text: '' },
    { type: 'result', cell: 'c', data: { 'text/plain': '43' } },
    { type: 'done', cell: 'c', status: 'ok', durationMs: 3 },
  ]);
  assert.equal(cell.outputs.length, 1);
  assert.equal(cell.text(0), '43');
});
