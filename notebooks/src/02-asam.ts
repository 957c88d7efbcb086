// Source of notebooks/02-asam.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # ASAM: an adaptive, scale-invariant neighbourhood
//
// **What you will learn**
// - ASAM's ascent step ε = ρ·T²g/‖Tg‖ with T = diag(|θ| + η) (Kwon et al. 2021; the TRAM paper's Eq. 2 has η = 0);
// - why SAM's sharpness depends on how a network happens to be parameterised, and ASAM's does not:
//   rescale the layers of a ReLU network without changing its function and measure both;
// - the two forms of T found in the wild (`scope: 'weights'`, kernels only, and `scope: 'all'`).
// %% [markdown]
// ## A ReLU network and a rescaled twin
// For a ReLU layer, relu(α·z) = α·relu(z) when α > 0. Multiplying the first layer's kernel and bias by α and
// dividing the second layer's kernel by α gives **the same function** with different weights.
// %%
const data = loadDigits(20);
const reference = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
// a few Adam steps so we measure at a trained point, not at the initialisation
const warm = tf.train.adam(1e-2);
for (let i = 0; i < 30; i++) warm.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(data.y, 10), reference.predict(data.x) as Tensor) as Scalar);
function rescaled(alpha: number): Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
  const [W1, b1, W2, b2] = reference.getWeights();
  m.setWeights([W1.mul(alpha), b1.mul(alpha), W2.div(alpha), b2]);
  return m;
}
const twin = rescaled(4);
const gap = tf.tidy(() => (twin.predict(data.x) as Tensor).sub(reference.predict(data.x) as Tensor).abs().max().dataSync()[0]);
display.markdown(`largest difference between the two networks' logits: ${gap.toExponential(2)} (the same function)`);
// %% [markdown]
// ## Sharpness as each method sees it
// For each rescaling α we take the first stages of one step with the step-through API and read
// L(θ + ε) − L(θ): the loss increase inside the method's neighbourhood. We abandon the step (`dispose()`), so the
// weights are not changed.
// %%
const alphas = [0.25, 0.5, 1, 2, 4];
function sharpness(method: Record<string, unknown>, alpha: number): number {
  const m = rescaled(alpha);
  const opt = createOptimizer(method, tf.train.sgd(0));
  const s = opt.begin(m, { x: data.x, y: data.y });
  const l0 = s.firstGradient().loss;
  const l1 = s.perturbedGradient().perturbedLoss as number;
  s.dispose();
  m.dispose();
  return l1 - l0;
}
const samSharp = alphas.map((a) => sharpness({ name: 'sam', rho: 0.05 }, a));
const asamAll = alphas.map((a) => sharpness({ name: 'asam', rho: 0.5, eta: 0, scope: 'all' }, a));
const asamWeights = alphas.map((a) => sharpness({ name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' }, a));
display(lineChart({
  title: 'Same function, different weights: SAM sharpness moves, ASAM sharpness stays',
  xLabel: 'rescaling α of layer 1 (layer 2 divided by α)',
  yLabel: 'L(θ+ε) − L(θ) (log scale)',
  logX: true, logY: true,
  series: [
    { name: 'SAM ρ = 0.05', x: alphas, y: samSharp },
    { name: 'ASAM ρ = 0.5, η = 0, scope all', x: alphas, y: asamAll },
    { name: 'ASAM ρ = 0.5, η = 0.01, kernels only', x: alphas, y: asamWeights },
  ],
}));
// the two ingredients of the kernels-only form, one at a time
const asamAllEta = alphas.map((a) => sharpness({ name: 'asam', rho: 0.5, eta: 0.01, scope: 'all' }, a));
const asamWeightsNoEta = alphas.map((a) => sharpness({ name: 'asam', rho: 0.5, eta: 0, scope: 'weights' }, a));
const spreadOf = (v: number[]) => Math.max(...v) / Math.min(...v);
const rows: [string, number[]][] = [
  ['SAM ρ = 0.05', samSharp],
  ['ASAM, T on every tensor, η = 0', asamAll],
  ['ASAM, T on every tensor, η = 0.01', asamAllEta],
  ['ASAM, T on kernels only (biases T = 1), η = 0', asamWeightsNoEta],
  ['ASAM, T on kernels only, η = 0.01 (Kwon et al.\'s code)', asamWeights],
];
display.markdown([
  `| method | ${alphas.map((a) => `α = ${a}`).join(' | ')} | spread max/min |`, `|---|${alphas.map(() => '---|').join('')}---|`,
  ...rows.map(([name, v]) => `| ${name} | ${v.map((x) => x.toExponential(3)).join(' | ')} | ${spreadOf(v).toFixed(2)}× |`),
].join('\n'));
// %% [markdown]
// With T on every tensor and η = 0 ASAM is exactly invariant (spread 1.00×): T scales with the weights, so T·g does
// not change. The form used in Kwon et al.'s released code and in this project's experiments (T on kernels only,
// η = 0.01; the TRAM paper's Eq. 2 writes θ² on every tensor) is **not** invariant: its sharpness moves by the
// spread in the last row across these rescalings (2.8× when this was written, against SAM's 9.7×; the table is
// measured afresh in every run). The two middle rows take its ingredients one at a time:
// - **biases** (the larger effect here): the first layer's bias is rescaled by α like its kernel, but with T = 1 on
//   biases its perturbation does not scale with it, so at α = 1/4 the bias is perturbed four times more, relative to
//   its size, than at α = 1;
// - **η:** T = |θ| + η stops scaling with θ where |θ| is comparable to η = 0.01, and rescaling shrinks one layer's
//   weights (the second layer's for α > 1, the first's for α < 1).
//
// ## What to try next
// - Replace `relu` by `tanh` (not positively homogeneous): the twin is no longer the same function.
// - TRAM keeps ASAM's T but reads the radius from a trust-region distance instead of ρ: **05 TRAM**.
