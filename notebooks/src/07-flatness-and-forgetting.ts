// Source of notebooks/07-flatness-and-forgetting.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # Measuring flatness and forgetting
//
// **What you will learn**
// - ε-sharpness (Keskar et al. 2017, as in the TRAM paper's Appendix B.7): the largest relative loss increase inside the
//   box |δᵢ| ≤ ε(|θᵢ| + 1), in percent;
// - linear CKA between the fine-tuned and the pre-trained representation (the paper's Table 6);
// - 1-D and 2-D loss-landscape slices along filter-normalised random directions (Li et al. 2018), and the loss along
//   the straight line from the pre-trained to the fine-tuned weights;
// - the top Hessian eigenvalue by power iteration on finite-difference Hessian-vector products.
// %% [markdown]
// ## Setup: pre-trained on upright digits, fine-tuned on rotated digits with Adam and with TRAM-θt−1
// %%
// The shared task (kernel/data/task.ts): 800 upright digits pre-trained on with 40 Adam steps, 300 rotated 45° to
// fine-tune on, 200 held-out upright digits (probe) and the same digits rotated (rotatedTest).
const task = pretrainedDigitsTask();
const { upright, rotatedTrain, probe, rotatedTest, pretrained, makeNet, features, accuracy } = task;
function fineTune(method: Record<string, unknown>): Sequential {
  const m = makeNet();
  m.setWeights(pretrained.getWeights());
  const opt = createOptimizer(method, tf.train.adam(1e-2, 0.9, 0.99));
  for (let t = 0; t < 60; t++) opt.step(m, rotatedTrain);
  return m;
}
const models: Record<string, Sequential> = {
  'Adam': fineTune({ name: 'adam' }),
  'TRAM-θt−1': fineTune({ name: 'tram', target: 'theta-prev' }),
};
// variables and loss of a model on a dataset, the form the analysis functions take
const varsOf = (m: Sequential) => m.trainableWeights.map((w) => w.read() as Variable);
const lossOf = (m: Sequential, d: { x: Tensor; y: Tensor }) => () => tf.losses.softmaxCrossEntropy(tf.oneHot(d.y as Tensor1D, 10), m.predict(d.x) as Tensor) as Scalar;
// %% [markdown]
// ## ε-sharpness and CKA, in-domain (rotated) and on a shifted domain (upright)
// %%
const rows: string[] = [];
for (const [name, m] of Object.entries(models)) {
  const sIn = epsilonSharpness(varsOf(m), lossOf(m, rotatedTest), { epsilon: 1e-3, steps: 10, seed: 1 });
  const sOut = epsilonSharpness(varsOf(m), lossOf(m, probe), { epsilon: 1e-3, steps: 10, seed: 1 });
  const fIn = features(m, rotatedTest.x), rIn = features(pretrained, rotatedTest.x);
  const fOut = features(m, probe.x), rOut = features(pretrained, probe.x);
  rows.push(`| ${name} | ${(100 * accuracy(m, rotatedTest)).toFixed(1)} % | ${(100 * accuracy(m, probe)).toFixed(1)} % | ${sIn.sharpness.toFixed(3)} | ${sOut.sharpness.toFixed(3)} | ${linearCkaValue(fIn, rIn).toFixed(3)} | ${linearCkaValue(fOut, rOut).toFixed(3)} |`);
  tf.dispose([fIn, rIn, fOut, rOut]);
}
display.markdown(['| method | accuracy rotated | accuracy upright | ε-sharpness rotated | ε-sharpness upright | CKA rotated | CKA upright |', '|---|---|---|---|---|---|---|', ...rows].join('\n'));
// %% [markdown]
// ## 1-D slices: L(θ + α·δ) along one filter-normalised random direction
// %%
const slices = Object.entries(models).map(([name, m]) => ({ name, ...lossLine(varsOf(m), lossOf(m, rotatedTest), { range: [-1, 1], points: 21, seed: 7 }) }));
display(lineChart({
  title: 'Loss along a random filter-normalised direction (rotated test digits)',
  xLabel: 'α', yLabel: 'loss (log scale)', logY: true,
  series: slices.map((s) => ({ name: s.name, x: s.alphas, y: s.losses })),
}));
// %% [markdown]
// ## From the pre-trained to the fine-tuned weights
// L((1 − α)·θ₀ + α·θ) on the upright digits the model was pre-trained on: how much of the old task is lost along the way.
// %%
const interp = Object.entries(models).map(([name, m]) => ({ name, ...lossInterpolation(varsOf(m), lossOf(m, probe), { from: pretrained.getWeights(), range: [0, 1], points: 11 }) }));
display(lineChart({
  title: 'Upright-digit loss on the line from pre-trained (α = 0) to fine-tuned (α = 1)',
  xLabel: 'α', yLabel: 'loss on upright digits',
  series: interp.map((s) => ({ name: s.name, x: s.alphas, y: s.losses })),
}));
// %% [markdown]
// ## A 2-D slice and the top Hessian eigenvalue
// %%
const m2 = models['TRAM-θt−1'];
const surf = lossSurface(varsOf(m2), lossOf(m2, rotatedTest), { xRange: [-1, 1], yRange: [-1, 1], xPoints: 15, yPoints: 15, seed: 7 });
display(heatmap({ title: 'TRAM-θt−1: loss on a 2-D filter-normalised slice (rotated test digits)', xLabel: 'direction δ', yLabel: 'direction η', z: surf.losses, x: surf.xs, y: surf.ys, contours: 10, logZ: true }));
const eig = Object.entries(models).map(([name, m]) => ({ name, ...topHessianEigenvalue(varsOf(m), lossOf(m, rotatedTest), { iterations: 15, seed: 1 }) }));
display(lineChart({
  title: 'Power iteration for the top Hessian eigenvalue',
  xLabel: 'iteration', yLabel: 'λ estimate',
  series: eig.map((e) => ({ name: `${e.name} (λ ≈ ${e.eigenvalue.toFixed(3)})`, y: e.history })),
}));
// %% [markdown]
// These figures describe one seed of a tiny run. The paper itself cautions that neither sharpness nor CKA tracks
// task performance closely; the committed experiments (**09**) report them over several seeds.
//
// ## What to try next
// - Use the paper's ε = 1e-5 in `epsilonSharpness`, and compare with 1e-3.
// - Add ASAM (`{name: 'asam', rho: 0.5}`) and TRAM-x to `models`.
