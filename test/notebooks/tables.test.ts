/**
 * The committed results and every table generated from them agree: summary.json's statistics are what the
 * summary code computes from the runs in results.json, and the results blocks of README.md and docs/experiments.md
 * are exactly what table.js writes from summary.json. Fails on any difference; fix with
 * `npm run experiments -- --resummarise notebooks/results/full`, the two `table.js --write` commands and
 * `levels.js --write docs/experiments.md` (the fixed- versus varied-pre-training table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarise, comparisons } from '../../kernel/experiments/summary';
import { resultsMarkdown } from '../../kernel/experiments/table';
import { round } from '../../kernel/experiments/main';
import { levelsMarkdown } from '../../kernel/experiments/levels';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'notebooks', 'results', 'full');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
const summary = JSON.parse(read('notebooks/results/full/summary.json'));

function block(file: string): string {
  const text = read(file);
  const a = text.indexOf('<!-- results:begin -->');
  const b = text.indexOf('<!-- results:end -->');
  assert.ok(a >= 0 && b > a, `${file} has no results block`);
  return text.slice(a + '<!-- results:begin -->'.length, b).trim();
}

test('summary.json holds exactly the statistics recomputed from the runs in results.json', () => {
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  assert.equal(results.tasks.length, summary.tasks.length);
  results.tasks.forEach((t: { name: string; runs: never[] }, i: number) => {
    const again = JSON.parse(JSON.stringify({ summary: summarise(t.runs), comparisons: comparisons(t.runs) }, round));
    assert.deepEqual(summary.tasks[i].summary, again.summary, `${t.name}: summary differs from results.json's runs`);
    assert.deepEqual(summary.tasks[i].comparisons, again.comparisons, `${t.name}: comparisons differ from results.json's runs`);
  });
});

test("README's results block is the headline table generated from summary.json", () => {
  assert.equal(block('README.md'), resultsMarkdown(summary, 'notebooks/results/full/summary.json', true).trim());
});

test("docs/experiments.md's results block is the full set of tables generated from summary.json", () => {
  assert.equal(block('docs/experiments.md'), resultsMarkdown(summary, 'notebooks/results/full/summary.json').trim());
});

test('a table marks significance only on the Holm-adjusted p', () => {
  const md = resultsMarkdown(summary, 'x');
  for (const line of md.split('\n')) {
    for (const m of line.matchAll(/\(p ([<\d.]+), Holm ([<\d.]+)\)(\*?)/g)) {
      const holmP = m[2].startsWith('<') ? 0 : Number(m[2]);
      assert.equal(m[3] === '*', holmP < 0.05, `wrong star in: ${m[0]}`);
      const raw = m[1].startsWith('<') ? 0 : Number(m[1]);
      assert.ok(holmP >= raw, `Holm p below the raw p in: ${m[0]}`);
    }
  }
});

test("docs/experiments.md's levels block is the fixed-versus-varied pre-training table generated from both result folders", () => {
  const text = read('docs/experiments.md');
  const a = text.indexOf('<!-- levels:begin -->');
  const b = text.indexOf('<!-- levels:end -->');
  assert.ok(a >= 0 && b > a, 'docs/experiments.md has no levels block');
  const fixed = JSON.parse(read('notebooks/results/full/results.json'));
  const varied = JSON.parse(read('notebooks/results/vary-pretrain/results.json'));
  const want = levelsMarkdown(fixed, varied, ['notebooks/results/full/results.json', 'notebooks/results/vary-pretrain/results.json']);
  assert.equal(text.slice(a + '<!-- levels:begin -->'.length, b).trim(), want.trim());
});

test('notebooks/results/vary-pretrain: summary.json holds the statistics recomputed from its runs', () => {
  const d = path.join(root, 'notebooks', 'results', 'vary-pretrain');
  const results = JSON.parse(fs.readFileSync(path.join(d, 'results.json'), 'utf8'));
  const sum = JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8'));
  assert.ok(results.varyPretrain);
  results.tasks.forEach((t: { name: string; runs: never[] }, i: number) => {
    const again = JSON.parse(JSON.stringify({ summary: summarise(t.runs), comparisons: comparisons(t.runs) }, round));
    assert.deepEqual(sum.tasks[i].summary, again.summary, `${t.name}: summary differs from results.json's runs`);
  });
});
