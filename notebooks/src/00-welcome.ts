// Source of notebooks/00-welcome.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # Welcome to TRAM Notebooks
//
// **What you will learn**
// - what the TRAM TypeScript kernel preloads (TensorFlow.js as `tf`, the optimizer library, chart helpers, `display`, `progress`);
// - which TensorFlow.js backend runs your cells;
// - what happens inside one step of TRAM (Sherborne et al., *TRAM: Bridging Trust Regions and Sharpness Aware
//   Minimization*, ICLR 2024), with every intermediate figure shown.
//
// Every cell runs on this machine in a second or two; nothing here reaches the network.
// %%
display.markdown(`**Backend:** \`${tf.getBackend()}\` · TensorFlow.js ${tf.version.tfjs} · Node ${process.version}`);
// %% [markdown]
// ## What is preloaded
// `createOptimizer(method, base)` builds any method of the paper from a JSON config. The names it accepts:
// %%
display.markdown(METHOD_NAMES.map((n) => `\`${n}\``).join(' · '));
// %% [markdown]
// ## A small model on real digits
// The `mnist` package ships 10,000 handwritten digits (28×28 grey levels in [0, 1]). The preloaded
// `loadDigits(perClass, offset, degrees)` turns them into tensors (optionally rotated: a shifted domain). We take 30
// of each class and a two-layer network.
// %%
const data = loadDigits(30);
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 32, activation: 'tanh' }), tf.layers.dense({ units: 10 })] });
display.markdown(`inputs ${data.x.shape}, labels ${data.y.shape}, ${model.countParams()} parameters`);
// %% [markdown]
// ## One TRAM step, stage by stage
// TRAM-x (paper Algorithm 1) measures how far the model's predictions move when the input is noised,
// d = KL(p(·|x+z) ‖ p(·|x)), and uses d as the radius of an ASAM ascent step
// ε = d · T²g / ‖Tg‖ with T = |θ| + η (paper Eq. 7). The descent gradient is taken at θ + ε (Eq. 6) and applied at θ
// by the base optimizer (Adam here).
// %%
const opt = createOptimizer(
  { name: 'tram', target: 'x', eta: 0.01, scope: 'weights', divergence: { kind: 'kl', direction: 'forward', reduction: 'batchmean' }, noise: { kind: 'gaussian', sigma: 0.1, seed: 1 } },
  tf.train.adam(1e-3, 0.9, 0.99),
);
const s = opt.begin(model, { x: data.x, y: data.y });
const rows: [string, string, number | undefined][] = [];
const g1 = s.firstGradient();
rows.push(['1. loss and gradient at θ', 'L(θ), ‖g‖', g1.loss], ['', '', g1.gradNorm]);
rows.push(['2. trust-region distance', 'd = KL(p(x+z) ‖ p(x))', s.divergence().divergence]);
rows.push(['3. radius', 'r = d', s.radius().radius]);
rows.push(['4. ascent step', '‖ε‖', s.perturbation().perturbationNorm]);
const h = s.perturbedGradient();
rows.push(['5. loss and gradient at θ + ε', 'L(θ+ε), ‖∇L(θ+ε)‖', h.perturbedLoss], ['', '', h.perturbedGradNorm]);
const report = s.descend();
display.markdown(['| stage | quantity | value |', '|---|---|---|', ...rows.map(([a, b, v]) => `| ${a} | ${b} | ${v === undefined ? '—' : v.toPrecision(4)} |`)].join('\n'));
// %% [markdown]
// ## Fifty more steps
// `step(model, batch)` runs all stages at once and returns the same figures.
// %%
const losses: number[] = [];
const ds: number[] = [];
for (let t = 0; t < 50; t++) {
  const r = opt.step(model, { x: data.x, y: data.y });
  losses.push(r.loss);
  ds.push(r.divergence ?? NaN);
}
display(lineChart({ title: 'TRAM-x on 300 digits', xLabel: 'step', yLabel: 'value (log scale)', logY: true, series: { 'training loss L(θ)': losses, 'radius d': ds } }));
// %% [markdown]
// ## What to try next
// - Change `target: 'x'` to `'theta0'`, `'theta-prev'` or `'ema'` (with `decay: 0.99`) and watch d.
// - Open **01 SAM** to see the ascent step on a 2-D surface, then follow the notebooks in order.
