/** Experiment options: `--vary-pretrain` is parsed, and a different data seed gives a different split. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../kernel/experiments/main';
import { digitsTask, DATA_SEED } from '../../kernel/experiments/tasks';

test('--vary-pretrain is an option of its own and off by default', () => {
  assert.equal(parseArgs(['--quick', '--vary-pretrain']).varyPretrain, true);
  assert.equal(parseArgs(['--quick']).varyPretrain, undefined);
  assert.throws(() => parseArgs(['--quick', '--vary']), /unknown option "--vary"/);
});

test('the split follows the data seed: the default seed reproduces itself, another seed gives other training digits', () => {
  const sizes = { pretrain: 50, train: 30, val: 10, test: 10 };
  const a = digitsTask(sizes);
  const b = digitsTask(sizes, DATA_SEED);
  const c = digitsTask(sizes, DATA_SEED + 1);
  assert.deepEqual(Array.from(a.train.y), Array.from(b.train.y));
  assert.deepEqual(Array.from(a.train.x.subarray(0, 784 * 3)), Array.from(b.train.x.subarray(0, 784 * 3)));
  assert.notDeepEqual(Array.from(a.train.x.subarray(0, 784 * 3)), Array.from(c.train.x.subarray(0, 784 * 3)));
});
