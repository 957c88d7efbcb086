/**
 * Editor latency of notebook-cell IntelliSense (kernel/runtime/cellTypes.ts), in process, no VS Code:
 *   node out/bench/editor.js [--rounds N]
 * A 12-cell notebook (tensors, a model, an optimizer, a chart) is checked once (cold), then each request is timed
 * N times at the last cell while its text changes every round (as when typing): completion after `tf.`, hover on
 * an earlier cell's variable, diagnostics of the last cell. Prints p50/p95 in ms; a measurement, not a test.
 */
import { performance } from 'node:perf_hooks';
import { CellTypeService } from '../kernel/runtime/cellTypes';
import { kernelGlobalsDeclaration } from '../kernel/runtime/typesServer';

const CELLS = [
  'const x = tf.randomNormal([64, 8]);\nconst y = tf.randomUniform([64], 0, 4, "int32");',
  'const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 32, activation: "tanh" }), tf.layers.dense({ units: 4 })] });',
  "const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.adam(1e-3));",
  'const losses: number[] = [];',
  'for (let i = 0; i < 3; i++) { const r = opt.step(model, { x, y }); losses.push(r.loss); }',
  'const last = losses[losses.length - 1];',
  "display.text(`loss ${last}`);",
  'const w = model.getWeights().map((t) => t.shape);',
  'function mean(a: number[]) { return a.reduce((s, v) => s + v, 0) / a.length; }',
  'const m = mean(losses);',
  "const chart = lineChart({ title: 'loss', series: [{ name: 'loss', y: losses }] });",
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function main(): void {
  const i = process.argv.indexOf('--rounds');
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 30;
  const t0 = performance.now();
  const svc = new CellTypeService(kernelGlobalsDeclaration());
  const globalsMs = performance.now() - t0;
  const cells = (k: number) => [...CELLS.map((code) => ({ code })), { code: `// ${k}\nm + losses.length;\ntf.` }];
  let t = performance.now();
  svc.diagnostics(cells(0), CELLS.length);
  const coldDiag = performance.now() - t;
  t = performance.now();
  svc.completions(cells(0), CELLS.length, cells(0)[CELLS.length].code.length, '.');
  const coldComplete = performance.now() - t;
  const times: Record<string, number[]> = { completion: [], hover: [], diagnostics: [] };
  for (let k = 1; k <= rounds; k++) {
    const c = cells(k);
    const last = c[CELLS.length].code;
    t = performance.now();
    const items = svc.completions(c, CELLS.length, last.length, '.');
    times.completion.push(performance.now() - t);
    if (!items.some((e) => e.name === 'tensor2d')) throw new Error('completion lost tensor2d');
    t = performance.now();
    svc.hover(c, CELLS.length, last.indexOf('losses') + 1);
    times.hover.push(performance.now() - t);
    t = performance.now();
    svc.diagnostics(c, CELLS.length);
    times.diagnostics.push(performance.now() - t);
  }
  svc.close();
  console.log(`editor IntelliSense, ${CELLS.length + 1}-cell notebook, ${rounds} rounds (ms)`);
  console.log(`  globals built ${globalsMs.toFixed(0)}, cold diagnostics ${coldDiag.toFixed(0)}, cold completion ${coldComplete.toFixed(0)}`);
  for (const [k, xs] of Object.entries(times)) console.log(`  ${k.padEnd(12)} p50 ${pct(xs, 50).toFixed(1)}  p95 ${pct(xs, 95).toFixed(1)}`);
}

if (require.main === module) main();
