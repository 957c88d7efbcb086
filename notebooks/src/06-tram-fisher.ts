// Source of notebooks/06-tram-fisher.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # TRAM-Fisher
//
// **What you will learn**
// - TRAM-Fisher as this library implements it: Fisher-SAM whose gradient, and so both its diagonal metric
//   f = 1 + η·g² and its ascent direction, is estimated on *noised* inputs x + z; the descent gradient is taken on
//   the clean batch at θ + ε. This is our reading of the paper's Algorithm 2, which takes the direction from the
//   clean gradient and only the Fisher from noised inputs; one noised pass matches its 2 forward / 2 backward count;
// - how its ascent direction differs from Fisher-SAM's, step by step;
// - how the two compare after a short fine-tuning run.
// %% [markdown]
// ## Setup: pre-trained on upright digits, fine-tuned on digits rotated 45°
// %%
// The shared task (kernel/data/task.ts): 800 upright digits pre-trained on with 40 Adam steps, 300 rotated 45° to
// fine-tune on, 200 held-out upright digits (probe) and the same digits rotated (rotatedTest).
const task = pretrainedDigitsTask();
const { upright, rotatedTrain, probe, rotatedTest, pretrained, makeNet, features, accuracy } = task;
// %% [markdown]
// ## The two ascent steps on the same batch
// With the step-through API we compute ε for Fisher-SAM (clean gradient) and TRAM-Fisher (noised gradient) at the
// pre-trained weights and compare them, for 8 independent noise draws at each σ (mean and spread of the cosine).
// %%
function epsilonOf(method: Record<string, unknown>): Tensor1D {
  const m = makeNet();
  m.setWeights(pretrained.getWeights());
  const s = createOptimizer(method, tf.train.sgd(0)).begin(m, rotatedTrain);
  s.perturbation();
  const flat = tf.concat((s.epsilon as Tensor[]).map((t) => t.flatten())) as Tensor1D;
  s.dispose();
  m.dispose();
  return flat;
}
const eF = epsilonOf({ name: 'fisher-sam', gamma: 0.1, eta: 0.1 });
const sigmas = [0.01, 0.05, 0.1, 0.2, 0.5];
const draws = [1, 2, 3, 4, 5, 6, 7, 8];
const cosineDraws = sigmas.map((sigma) => draws.map((seed) => {
  const eT = epsilonOf({ name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise: { kind: 'gaussian', sigma, seed } });
  const c = tf.tidy(() => eF.dot(eT).div(eF.norm().mul(eT.norm())).dataSync()[0]);
  eT.dispose();
  return c;
}));
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sdOf = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - meanOf(v)) ** 2, 0) / (v.length - 1));
const cosines = cosineDraws.map(meanOf);
display(lineChart({
  title: 'Agreement of the TRAM-Fisher and Fisher-SAM ascent steps (mean of 8 noise draws, with min and max)',
  xLabel: 'input noise σ (log scale)', yLabel: 'cosine(ε_TRAM-Fisher, ε_Fisher-SAM)', logX: true,
  series: [
    { name: 'mean cosine', x: sigmas, y: cosines },
    { name: 'min over draws', x: sigmas, y: cosineDraws.map((v) => Math.min(...v)) },
    { name: 'max over draws', x: sigmas, y: cosineDraws.map((v) => Math.max(...v)) },
  ],
}));
display.markdown(['| σ | mean cosine | sd over 8 draws | min | max |', '|---|---|---|---|---|',
  ...sigmas.map((sg, i) => `| ${sg} | ${cosines[i].toFixed(4)} | ${sdOf(cosineDraws[i]).toFixed(4)} | ${Math.min(...cosineDraws[i]).toFixed(4)} | ${Math.max(...cosineDraws[i]).toFixed(4)} |`)].join('\n'));
const falls = cosines.every((c, i) => i === 0 || c <= cosines[i - 1]);
display.markdown(falls
  ? `Averaged over 8 draws the agreement falls steadily as σ grows (${cosines.map((c) => c.toFixed(3)).join(' ≥ ')}).`
  : `Averaged over 8 draws the agreement does **not** fall steadily with σ (${cosines.map((c) => c.toFixed(3)).join(', ')}).`);
// %% [markdown]
// Small noise gives nearly Fisher-SAM's step. With larger noise the step is taken from the gradient of the loss on
// noised digits, a different and noisier direction; the table shows how far it turns on average and how much one
// draw varies. Whether that direction is better for transfer is what the experiments (**09**) test: on digits
// TRAM-Fisher's zero-shot gain over Adam is not significant after Holm's correction.
// %% [markdown]
// ## A short fine-tuning run
// %%
function fineTune(method: Record<string, unknown>): { loss: number[]; acc: number; cka: number } {
  const m = makeNet();
  m.setWeights(pretrained.getWeights());
  const opt = createOptimizer(method, tf.train.adam(1e-2, 0.9, 0.99));
  const loss: number[] = [];
  for (let t = 0; t < 60; t++) loss.push(opt.step(m, rotatedTrain).loss);
  const f = features(m, probe.x);
  const ref = features(pretrained, probe.x);
  const out = { loss, acc: accuracy(m, rotatedTest), cka: linearCkaValue(f, ref) };
  tf.dispose([f, ref]);
  return out;
}
const runs: Record<string, { loss: number[]; acc: number; cka: number }> = {
  'Fisher-SAM (γ = η = 0.1)': fineTune({ name: 'fisher-sam', gamma: 0.1, eta: 0.1 }),
  'TRAM-Fisher (γ = η = 0.1, σ = 0.1)': fineTune({ name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise: { kind: 'gaussian', sigma: 0.1, seed: 4 } }),
};
display(lineChart({ title: 'Training loss on rotated digits', xLabel: 'step', yLabel: 'loss (log scale)', logY: true, series: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, r.loss])) }));
display.markdown(Object.entries(runs).map(([k, r]) => `- ${k}: rotated held-out accuracy ${(100 * r.acc).toFixed(1)} %, CKA with pre-trained features ${r.cka.toFixed(3)}`).join('\n'));
// %% [markdown]
// ## What to try next
// - The paper does not state γ, η or σ for TRAM-Fisher; we use Fisher-SAM's γ = η = 0.1 and R3F's σ = 0.1. Vary σ.
// - Compare with TRAM-x (**05**), which keeps ASAM's T and changes the radius instead of the metric.
