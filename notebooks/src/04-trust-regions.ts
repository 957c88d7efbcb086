// Source of notebooks/04-trust-regions.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # Trust regions: R3F, d_θ, and catastrophic forgetting
//
// **What you will learn**
// - the two trust-region distances of the paper: d_x, how far predictions move when the input embeddings are noised
//   (R3F, Aghajanyan et al. 2021; paper Eq. 5), and d_θ, how far they move from an earlier model (Eq. 4);
// - how the trust-region baselines use them: as a penalty added to the loss, L + λ·d (paper Appendix B.2);
// - what forgetting of a pre-trained representation looks like, measured with linear CKA, with and without them.
// %% [markdown]
// ## Pre-train on upright digits, fine-tune on rotated ones
// We pre-train a small network on 800 upright digits, then fine-tune it on the same kind of digits rotated by 45°.
// The rotation is bilinear sampling about the image centre (kernel/data/digits.ts).
// %%
// The shared task (kernel/data/task.ts): 800 upright digits pre-trained on with 40 Adam steps, 300 rotated 45° to
// fine-tune on, 200 held-out upright digits (probe) and the same digits rotated (rotatedTest).
const task = pretrainedDigitsTask();
const { upright, rotatedTrain, probe, rotatedTest, pretrained, makeNet, features, accuracy } = task;
display.markdown(`pre-trained: accuracy ${(100 * accuracy(pretrained, probe)).toFixed(1)} % on held-out upright digits, ${(100 * accuracy(pretrained, rotatedTest)).toFixed(1)} % on the same digits rotated 45°`);
// %% [markdown]
// ## The two distances on one batch
// d_x: KL between the predictions on x + z and on x (z ~ N(0, 0.1²) added to the inputs, which play the role of the
// embeddings here). d_θ: KL between the pre-trained model's predictions and a copy moved by a few Adam steps.
// R3F uses the symmetric KL, KL(p‖q) + KL(q‖p).
// %%
const noisy = rotatedTrain.x.add(tf.randomNormal(rotatedTrain.x.shape, 0, 0.1, 'float32', 5));
const pClean = pretrained.predict(rotatedTrain.x) as Tensor;
const pNoisy = pretrained.predict(noisy) as Tensor;
const kl = (kind: 'forward' | 'reverse' | 'symmetric', a: Tensor, b: Tensor) => divergence({ kind: 'kl', direction: kind, reduction: 'batchmean' }, a, b).dataSync()[0];
// d_θ: a copy of the pre-trained network moved by 5 Adam steps on the rotated digits
const moved = makeNet();
moved.setWeights(pretrained.getWeights());
const mover = createOptimizer({ name: 'adam' }, tf.train.adam(1e-2));
for (let i = 0; i < 5; i++) mover.step(moved, rotatedTrain);
const pMoved = moved.predict(rotatedTrain.x) as Tensor;
display.markdown([
  '| distance | value |', '|---|---|',
  `| d_x forward KL(p(x+z) ‖ p(x)) | ${kl('forward', pNoisy, pClean).toExponential(3)} |`,
  `| d_x symmetric (R3F) | ${kl('symmetric', pNoisy, pClean).toExponential(3)} |`,
  `| d_θ forward KL(p(x; θ₀) ‖ p(x; θ after 5 Adam steps)) | ${kl('forward', pClean, pMoved).toExponential(3)} |`,
].join('\n'));
// %% [markdown]
// ## Fine-tuning with and without a trust region
// Three copies of the pre-trained network are fine-tuned on the rotated digits for 60 steps with Adam: plain, with
// R3F (λ = 0.1, σ = 0.1) and with the TRPO-style penalty λ·d_θ(θ_{t−1}, θ_t). After every 10 steps we measure
// linear CKA between the fine-tuned and the pre-trained penultimate features on held-out upright digits
// (1 = the representation is unchanged).
// %%
function fineTune(method: Record<string, unknown>): { cka: number[]; steps: number[]; acc: number } {
  const m = makeNet();
  m.setWeights(pretrained.getWeights());
  const opt = createOptimizer(method, tf.train.adam(1e-2));
  const ref = features(pretrained, probe.x);
  const cka: number[] = [];
  const steps: number[] = [];
  for (let t = 0; t <= 60; t++) {
    if (t % 10 === 0) {
      const f = features(m, probe.x);
      cka.push(linearCkaValue(f, ref));
      steps.push(t);
      f.dispose();
    }
    if (t < 60) opt.step(m, rotatedTrain);
  }
  return { cka, steps, acc: accuracy(m, rotatedTest) };
}
const runs: Record<string, { cka: number[]; steps: number[]; acc: number }> = {
  'Adam': fineTune({ name: 'adam' }),
  'R3F (λ = 0.1, σ = 0.1)': fineTune({ name: 'r3f', lambda: 0.1, noise: { kind: 'gaussian', sigma: 0.1, seed: 1 } }),
  'TRPO-style λ·d_θ (λ = 0.1)': fineTune({ name: 'trpo', lambda: 0.1 }),
};
display(lineChart({
  title: 'Forgetting during fine-tuning: CKA with the pre-trained features',
  xLabel: 'fine-tuning step', yLabel: 'linear CKA on held-out upright digits',
  series: Object.entries(runs).map(([name, r]) => ({ name, x: r.steps, y: r.cka })),
}));
display.markdown(Object.entries(runs).map(([name, r]) => `- ${name}: accuracy on rotated held-out digits ${(100 * r.acc).toFixed(1)} %, final CKA ${r.cka[r.cka.length - 1].toFixed(3)}`).join('\n'));
// %% [markdown]
// At this size the penalties are small next to the task loss, so the curves may sit close together: the paper
// itself finds trust-region baselines "no more similar than SAM-style methods" in CKA (its Table 6). Compare with
// TRAM in the next notebook and with the committed experiments in **09**.
//
// ## Does a larger λ keep CKA higher?
// A stronger penalty should keep the predictions, and so perhaps the features, closer to where fine-tuning started.
// We test it rather than assume it: the TRPO-style penalty at λ = 0.1, 1 and 10, same data and steps. The verdict
// below is computed from this run.
// %%
const lambdas = [0.1, 1, 10];
const byLambda = lambdas.map((lambda) => fineTune({ name: 'trpo', lambda }));
display.markdown([
  '| TRPO-style λ | final CKA | accuracy on rotated held-out digits |', '|---|---|---|',
  ...byLambda.map((r, i) => `| ${lambdas[i]} | ${r.cka[r.cka.length - 1].toFixed(4)} | ${(100 * r.acc).toFixed(1)} % |`),
].join('\n'));
const finals = byLambda.map((r) => r.cka[r.cka.length - 1]);
const rises = finals.every((c, i) => i === 0 || c > finals[i - 1]);
display.markdown(rises
  ? `Here CKA rises with λ (${finals.map((c) => c.toFixed(4)).join(' < ')}): the prediction holds in this run.`
  : `Here CKA does **not** rise steadily with λ (${finals.map((c) => c.toFixed(4)).join(', ')}): the prediction fails in this run. The penalty keeps the *predictions* near the previous step's, which need not keep the penultimate features near the pre-trained ones.`);
// %% [markdown]
// ## What to try next
// - Use the R3F penalty with λ = 1 or 10 in the cell above.
// - Try `{name: 'mesa', lambda: 0.1, decay: 0.99, temperature: 5, start: 20}`: MESA (Du et al. 2022),
//   λ·τ²·KL(softmax(f(x; EMA of past weights)/τ) ‖ softmax(f(x; θ)/τ)) added from step 20, the EMA kept from step 1;
//   `temperature: 1, start: 0` is the plain EMA-KL term.
