// Source of notebooks/05-tram.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # TRAM: the trust region sets the radius
//
// **What you will learn**
// - TRAM's step (Sherborne et al. 2024, Eqs. 6–7): ε = d·T²g/‖Tg‖, the ASAM step with ρ replaced by a trust-region
//   distance d measured in function space at every step; the descent gradient is ∇L(θ + ε), with no penalty term;
// - the four targets that define d: the pre-trained weights θ₀, the previous iterate θₜ₋₁, an EMA of past weights,
//   and the current weights on noised inputs x + z;
// - whether d ≤ ρ = 0.5 (ASAM's radius) holds, which the paper assumes for its generalisation bound;
// - how the choice of distance (forward, reverse, symmetric KL, MMD, L2) changes d.
// %% [markdown]
// ## Setup: a network pre-trained on upright digits, fine-tuned on digits rotated 45°
// %%
// The shared task (kernel/data/task.ts): 800 upright digits pre-trained on with 40 Adam steps, 300 rotated 45° to
// fine-tune on, 200 held-out upright digits (probe) and the same digits rotated (rotatedTest).
const task = pretrainedDigitsTask();
const { upright, rotatedTrain, probe, rotatedTest, pretrained, makeNet, features, accuracy } = task;
display.markdown(`pre-trained accuracy on rotated held-out digits: ${(100 * accuracy(pretrained, rotatedTest)).toFixed(1)} %`);
// %% [markdown]
// ## Each target, d logged at every step
// Every run starts from the pre-trained weights, takes 60 Adam steps (learning rate 1e-2) on the rotated digits with
// TRAM, and records d. With θ targets d = 0 at the first step (target and model are the same weights).
// %%
const kl = { kind: 'kl', direction: 'forward', reduction: 'batchmean' };
const targets: Record<string, Record<string, unknown>> = {
  'TRAM-θ0': { name: 'tram', target: 'theta0', divergence: kl },
  'TRAM-θt−1': { name: 'tram', target: 'theta-prev', divergence: kl },
  'TRAM-EMA (decay 0.9)': { name: 'tram', target: 'ema', decay: 0.9, divergence: kl },
  'TRAM-x (σ = 0.1)': { name: 'tram', target: 'x', divergence: kl, noise: { kind: 'gaussian', sigma: 0.1, seed: 3 } },
};
function fineTune(method: Record<string, unknown>, steps = 60): { d: number[]; acc: number; cka: number } {
  const m = makeNet();
  m.setWeights(pretrained.getWeights());
  const opt = createOptimizer(method, tf.train.adam(1e-2, 0.9, 0.99));
  const d: number[] = [];
  for (let t = 0; t < steps; t++) d.push(opt.step(m, rotatedTrain).radius ?? 0);
  const f = features(m, probe.x);
  const ref = features(pretrained, probe.x);
  const out = { d, acc: accuracy(m, rotatedTest), cka: linearCkaValue(f, ref) };
  tf.dispose([f, ref]);
  return out;
}
const byTarget = Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, fineTune(v)]));
const floor = 1e-6;
display(lineChart({
  title: 'TRAM radius d per step, by target, against ASAM ρ = 0.5 and SAM ρ = 0.05',
  xLabel: 'fine-tuning step', yLabel: 'd (log scale, floored at 1e-6)', logY: true,
  series: [
    ...Object.entries(byTarget).map(([name, r]) => ({ name, y: r.d.map((v) => Math.max(v, floor)) })),
    { name: 'ASAM ρ = 0.5', x: [0, 59], y: [0.5, 0.5] },
    { name: 'SAM ρ = 0.05', x: [0, 59], y: [0.05, 0.05] },
  ],
}));
display.markdown(['| target | mean d | max d | steps with d > 0.5 | rotated accuracy | CKA with pre-trained |', '|---|---|---|---|---|---|',
  ...Object.entries(byTarget).map(([k, r]) => `| ${k} | ${(r.d.reduce((a, b) => a + b, 0) / r.d.length).toExponential(2)} | ${Math.max(...r.d).toExponential(2)} | ${r.d.filter((v) => v > 0.5).length} / ${r.d.length} | ${(100 * r.acc).toFixed(1)} % | ${r.cka.toFixed(3)} |`)].join('\n'));
// %% [markdown]
// The paper assumes d ≤ ρ = 0.5 so that TRAM inherits ASAM's bound, and reports that this held in its runs. The table
// says whether it holds here. θ₀'s distance grows as the model moves away from the pre-trained weights; θₜ₋₁'s stays
// small because consecutive iterates are close. If you need the bound, `rhoMax: 0.5` clamps the radius.
// %% [markdown]
// ## Which reduction? `batchmean` vs the released code's `official`
// The d above is the per-example KL ("batchmean": summed over the C classes, averaged over the B examples of the
// batch), and that is the d compared with ρ = 0.5 in the chart and the table. The authors' released code divides
// that once more by C·B (`reduction: 'official'`), here C = 10 and B = 300 (the whole rotated set is one batch), so
// its d is about C·B = 3,000 times smaller and the d ≤ ρ question changes completely. Measured at the first
// TRAM-θ₀ step where d > 0 (the second step; both runs are identical up to there):
// %%
function secondStepD(reduction: 'batchmean' | 'official'): number {
  const m = makeNet();
  m.setWeights(pretrained.getWeights());
  const opt = createOptimizer({ name: 'tram', target: 'theta0', divergence: { kind: 'kl', direction: 'forward', reduction } }, tf.train.adam(1e-2, 0.9, 0.99));
  opt.step(m, rotatedTrain);
  const d = opt.step(m, rotatedTrain).radius ?? 0;
  opt.dispose();
  m.dispose();
  return d;
}
const dBatchmean = secondStepD('batchmean');
const dOfficial = secondStepD('official');
display.markdown(`batchmean d = ${dBatchmean.toExponential(3)}, official d = ${dOfficial.toExponential(3)}: ratio ${(dBatchmean / dOfficial).toFixed(0)} (C·B = ${10 * 300})`);
// %% [markdown]
// ## Which distance?
// TRAM-x with five distances between the noised and the clean predictions. KL values are per example; MMD and L2 act
// on raw logits, so their scale is different and so is the step.
// %%
const distances: Record<string, Record<string, unknown>> = {
  'KL forward': { kind: 'kl', direction: 'forward', reduction: 'batchmean' },
  'KL reverse': { kind: 'kl', direction: 'reverse', reduction: 'batchmean' },
  'KL symmetric': { kind: 'kl', direction: 'symmetric', reduction: 'batchmean' },
  'MMD (imq kernel)': { kind: 'mmd', kernel: 'imq', reduction: 'batchmean' },
  'L2 on logits': { kind: 'l2', reduction: 'batchmean' },
};
const byDistance = Object.fromEntries(Object.entries(distances).map(([k, dv]) => [k, fineTune({ name: 'tram', target: 'x', divergence: dv, noise: { kind: 'gaussian', sigma: 0.1, seed: 3 } }, 40)]));
display(lineChart({
  title: 'TRAM-x radius with different distances',
  xLabel: 'fine-tuning step', yLabel: 'd (log scale)', logY: true,
  series: Object.entries(byDistance).map(([name, r]) => ({ name, y: r.d.map((v) => Math.max(v, floor)) })),
}));
display.markdown(['| distance | mean d | rotated accuracy |', '|---|---|---|', ...Object.entries(byDistance).map(([k, r]) => `| ${k} | ${(r.d.reduce((a, b) => a + b, 0) / r.d.length).toExponential(2)} | ${(100 * r.acc).toFixed(1)} % |`)].join('\n'));
// %% [markdown]
// The paper (Table 14) found forward KL ≥ MMD > L2 for TRAM-x on XNLI. A 40-step run on 300 digits cannot separate
// methods reliably; the committed experiments in **09** use several seeds.
//
// ## What to try next
// - `reduction: 'official'` reproduces the authors' released code, which divides the KL by the number of classes
//   and the batch size again: see how much smaller d becomes.
// - Add `rhoMax: 0.5` to the θ₀ config and compare.
// - Step through one TRAM step with `opt.begin(model, batch)` as in **00 Welcome**.
// %% [markdown]
// ## Step through one TRAM step yourself
// With the TRAM kernel running (VS Code, or Jupyter), the output below is live: **next stage** runs one stage of a
// TRAM-x step on a copy of the pre-trained network and the rotated digits (the first gradient, the distance d, the
// radius r = d, ε with its norm per layer, the gradient at θ + ε, the descent); **next step** finishes the step;
// the **σ** slider (the input noise) and the **TRAM target** select re-take the step. Without a kernel it shows a
// picture of its first state.
// %%
const stepNet = makeNet();
stepNet.setWeights(pretrained.getWeights());
const tramStepper = stepper(
  createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1, seed: 3 } }, tf.train.adam(1e-2, 0.9, 0.99)),
  stepNet, rotatedTrain,
);
tramStepper
