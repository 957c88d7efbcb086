// Source of notebooks/03-fisher-sam.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # Fisher-SAM: an ellipsoidal neighbourhood
//
// **What you will learn**
// - Fisher-SAM's ascent step (Kim et al. 2022; TRAM paper Eqs. 8–9) with the diagonal metric f = 1 + η·g²:
//   ε = γ·(g/f)/√(Σ g²/f);
// - the neighbourhood {ε : Σ fᵢεᵢ² ≤ γ²} is an ellipse, narrow along directions with large squared gradients,
//   next to SAM's ball of radius ρ;
// - how the library's Fisher-SAM step compares with SAM's on a real model.
// %% [markdown]
// ## Two parameters
// Take a gradient g = (3, 0.5). With η = 0.1 the metric is f = (1.9, 1.025). SAM steps to the edge of the circle in the
// direction of g; Fisher-SAM to the edge of the ellipse, in the direction of g/f.
// %%
const g = [3, 0.5];
const eta = 0.1;
const gamma = 0.1;
const f = g.map((v) => 1 + eta * v * v);
const circle: [number, number][] = [];
const ellipse: [number, number][] = [];
for (let k = 0; k <= 120; k++) {
  const t = (2 * Math.PI * k) / 120;
  circle.push([gamma * Math.cos(t), gamma * Math.sin(t)]);
  ellipse.push([(gamma * Math.cos(t)) / Math.sqrt(f[0]), (gamma * Math.sin(t)) / Math.sqrt(f[1])]);
}
const gn = Math.hypot(g[0], g[1]);
const samEps: [number, number] = [(gamma * g[0]) / gn, (gamma * g[1]) / gn];
const u = g.map((v, i) => v / f[i]);
const denom = Math.sqrt(g[0] * u[0] + g[1] * u[1]);
const fisherEps: [number, number] = [(gamma * u[0]) / denom, (gamma * u[1]) / denom];
display(trajectoryChart({
  title: 'SAM ball vs Fisher-SAM ellipse (γ = ρ = 0.1, η = 0.1, g = (3, 0.5))',
  xLabel: 'ε₁', yLabel: 'ε₂',
  paths: [{ name: 'SAM neighbourhood ‖ε‖ ≤ 0.1', points: circle }, { name: 'Fisher-SAM neighbourhood Σ fᵢεᵢ² ≤ 0.1²', points: ellipse }],
  arrows: [{ from: [0, 0], to: samEps }, { from: [0, 0], to: fisherEps }],
  arrowsLabel: 'ascent steps (SAM, Fisher-SAM)',
}));
display.markdown(`SAM ε = (${samEps.map((v) => v.toFixed(4)).join(', ')}), Fisher-SAM ε = (${fisherEps.map((v) => v.toFixed(4)).join(', ')}); Σ fᵢεᵢ² = ${(f[0] * fisherEps[0] ** 2 + f[1] * fisherEps[1] ** 2).toFixed(5)} = γ²`);
// %% [markdown]
// ## On a real model
// Per parameter, Fisher-SAM shrinks the step where the gradient is large: εᵢ ∝ gᵢ/(1 + ηgᵢ²). The scatter shows εᵢ
// against gᵢ for every weight of a small digit classifier, for SAM and Fisher-SAM, from the step-through API.
// %%
const data = loadDigits(20);
const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 16, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }), tf.layers.dense({ units: 10 })] });
function epsilonVsGradient(method: Record<string, unknown>): { x: number[]; y: number[] } {
  const s = createOptimizer(method, tf.train.sgd(0)).begin(net, { x: data.x, y: data.y });
  s.firstGradient();
  s.perturbation();
  const gs = (s.gradient as Tensor[]).map((t) => Array.from(t.dataSync()));
  const es = (s.epsilon as Tensor[]).map((t) => Array.from(t.dataSync()));
  s.dispose();
  // the last layer's kernel: 160 weights
  return { x: gs[2], y: es[2] };
}
const samPts = epsilonVsGradient({ name: 'sam', rho: 0.1 });
const fisherPts = epsilonVsGradient({ name: 'fisher-sam', gamma: 0.1, eta: 0.1 });
display(scatterChart({
  title: 'Per-weight ascent step against the gradient (output layer kernel)',
  xLabel: 'gradient gᵢ', yLabel: 'ascent step εᵢ',
  series: [{ name: 'SAM ρ = 0.1', ...samPts }, { name: 'Fisher-SAM γ = η = 0.1', ...fisherPts }],
}));
// %% [markdown]
// With small gradients f ≈ 1 and both steps are the normalised gradient, so the two point clouds nearly coincide.
// The ellipse matters when some gᵢ² are comparable to 1/η.
//
// ## What to try next
// - Raise η to 10 and look at the scatter again.
// - TRAM-Fisher estimates the same metric on *noised* inputs: **06 TRAM-Fisher**.
