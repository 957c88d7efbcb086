// The notebook surface (what cells see without imports) is committed as docs/notebook-globals.d.ts; any change
// to it shows in review. This test regenerates it and compares, and checks the surface's contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const committed = path.join(root, 'docs', 'notebook-globals.d.ts');

function generated(): string {
  const r = spawnSync(process.execPath, ['bin/tram.js', 'kernel', '--globals-dts', '--relative-to', 'docs'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('docs/notebook-globals.d.ts is what `tram kernel --globals-dts` prints', () => {
  const now = generated();
  const saved = readFileSync(committed, 'utf8');
  if (now !== saved) {
    const a = new Set(saved.split('\n'));
    const b = new Set(now.split('\n'));
    const added = [...b].filter((l) => !a.has(l));
    const removed = [...a].filter((l) => !b.has(l));
    assert.fail(
      `the cell globals changed: review, then run \`npm run globals-dts\` and commit docs/notebook-globals.d.ts\n` +
        `added:\n${added.join('\n')}\nremoved:\n${removed.join('\n')}`,
    );
  }
});

test('cells get the curated surface by name: no internals, number forms under their own names', () => {
  const dts = generated();
  const names = [...dts.matchAll(/^ {2}const (\w+):/gm)].map((m) => m[1]);
  for (const want of ['createOptimizer', 'fromConfig', 'SharpnessAwareOptimizer', 'StepThrough', 'linearCka', 'linearCkaValue', 'epsilonSharpness', 'pretrainedDigitsTask', 'OptimConfigError', 'lineChart']) {
    assert.ok(names.includes(want), `${want} is not a cell global`);
  }
  for (const internal of ['snapshot', 'restore', 'checkOneOf', 'checkFinite', 'asModel', 'normalizeMethod', 'releaseAbandonedTape', 'gradsOf', 'withWeights']) {
    assert.ok(!names.includes(internal), `${internal} is an internal helper but is a cell global`);
  }
  assert.match(dts, /const tram: typeof import\("\.\.\/out\/kernel\/notebook"\)/);
  assert.match(dts, /^ {2}type Tensor2D = __tram_tf\.Tensor2D;$/m);
});
