// Source of notebooks/06-tram-fisher.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # TRAM-Fisher
//
// **What you will learn**
// - TRAM-Fisher (paper Algorithm 2): Fisher-SAM whose gradient, and so whose diagonal metric f = 1 + η·g², is
//   estimated on *noised* inputs x + z; the descent gradient is taken on the clean batch at θ + ε;
// - how its ascent direction differs from Fisher-SAM's, step by step;
// - how the two compare after a short fine-tuning run.
// %% [markdown]
// ## Setup: pre-trained on upright digits, fine-tuned on digits rotated 45°
// %%
type Sequential = tf.Sequential;
type Tensor = tf.Tensor;
type Tensor1D = tf.Tensor1D;
type Tensor2D = tf.Tensor2D;
const upright = loadDigits(80, 0, 0);
const rotatedTrain = loadDigits(30, 100, 45);
const probe = loadDigits(20, 200, 0); // upright digits never trained on: where we measure forgetting
function makeNet(): Sequential {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 64, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
    tf.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) }),
    tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 13 }) }),
  ] });
}
const pretrained = makeNet();
const pre = createOptimizer({ name: 'adam' }, tf.train.adam(3e-3));
for (let e = 0; e < 40; e++) pre.step(pretrained, upright);
const features = (m: Sequential, x: Tensor) => tf.tidy(() => m.layers[1].apply(m.layers[0].apply(x)) as Tensor2D);
// linear CKA as a number (the library returns a scalar tensor or a number depending on the entry point)
const ckaOf = (a: Tensor, b: Tensor): number => { const v: any = linearCka(a as Tensor2D, b as Tensor2D); return typeof v === "number" ? v : v.dataSync()[0]; };
const accuracy = (m: Sequential, d: { x: Tensor; y: Tensor }) => tf.tidy(() => (m.predict(d.x) as Tensor).argMax(1).equal(d.y).mean().dataSync()[0]);
const rotatedTest = loadDigits(20, 200, 45);
// %% [markdown]
// ## The two ascent steps on the same batch
// With the step-through API we compute ε for Fisher-SAM (clean gradient) and TRAM-Fisher (noised gradient, σ = 0.1)
// at the pre-trained weights and compare them.
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
const cosines = sigmas.map((sigma) => {
  const eT = epsilonOf({ name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise: { kind: 'gaussian', sigma, seed: 4 } });
  const c = tf.tidy(() => eF.dot(eT).div(eF.norm().mul(eT.norm())).dataSync()[0]);
  eT.dispose();
  return c;
});
display(lineChart({
  title: 'Agreement of the TRAM-Fisher and Fisher-SAM ascent steps',
  xLabel: 'input noise σ (log scale)', yLabel: 'cosine(ε_TRAM-Fisher, ε_Fisher-SAM)', logX: true,
  series: [{ name: 'cosine similarity', x: sigmas, y: cosines }],
}));
// %% [markdown]
// Small noise gives nearly the same step; larger noise turns the step towards directions in which the loss is
// sensitive to input perturbations.
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
  const out = { loss, acc: accuracy(m, rotatedTest), cka: ckaOf(f, ref) };
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
