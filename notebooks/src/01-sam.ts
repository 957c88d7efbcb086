// Source of notebooks/01-sam.ipynb (built by notebooks/build.mjs).
// %% [markdown]
// # SAM: sharpness-aware minimization
//
// **What you will learn**
// - SAM's ascent step ε = ρ·∇L/‖∇L‖ (Foret et al. 2021; TRAM paper Eq. 1) and why descending with the gradient
//   taken at θ + ε steers away from sharp minima;
// - how plain gradient descent and SAM move on a 2-D loss surface with a sharp and a flat minimum;
// - how to check the library's SAM step on a real model (‖ε‖ = ρ exactly).
// %% [markdown]
// ## A surface with a sharp and a flat minimum
// L(w) = 0.3·‖w − b‖² − exp(−‖w − a‖²/(2·0.15²)): a wide bowl with its minimum at b = (0.7, 0) (L = 0), and on its
// side a narrow, deeper well at a = (−0.5, 0) (L ≈ −0.57).
// %%
const A = [-0.5, 0];
const B = [0.7, 0];
function surface(w: Tensor1D): Scalar {
  return tf.tidy(() => {
    const da = w.sub(tf.tensor1d(A)).square().sum();
    const db = w.sub(tf.tensor1d(B)).square().sum();
    return db.mul(0.3).sub(tf.exp(da.div(-2 * 0.15 * 0.15))) as Scalar;
  });
}
const xs = Array.from({ length: 61 }, (_, i) => -1.1 + (2.2 * i) / 60);
const ys = Array.from({ length: 41 }, (_, i) => -0.6 + (1.2 * i) / 40);
const z = ys.map((y) => xs.map((x) => surface(tf.tensor1d([x, y])).dataSync()[0]));
display(heatmap({ title: 'Loss surface: sharp minimum at a (left), flat minimum at b (right)', xLabel: 'w₁', yLabel: 'w₂', z, x: xs, y: ys, contours: 12 }));
// %% [markdown]
// ## Gradient descent vs SAM from the same start
// Both take 200 steps of size 0.02 from w₀ = (−0.6, 0.3). SAM first ascends to w + ε with ε = ρ·g/‖g‖ (ρ = 0.3 here,
// wider than the sharp well, so the effect is visible in 2-D), then descends with the gradient measured there. The
// arrows are SAM's ε.
// %%
const grad = tf.grad((w: Tensor) => surface(w as Tensor1D));
function run(rho: number): { points: [number, number][]; arrows: { from: [number, number]; to: [number, number] }[]; updates: number[][] } {
  let w = tf.tensor1d([-0.6, 0.3]);
  const points: [number, number][] = [];
  const updates: number[][] = []; // the descent gradient of every step
  const arrows: { from: [number, number]; to: [number, number] }[] = [];
  for (let t = 0; t < 200; t++) {
    const [x, y] = Array.from(w.dataSync());
    points.push([x, y]);
    const next = tf.tidy(() => {
      const g = grad(w);
      if (rho === 0) return w.sub(g.mul(0.02));
      const eps = g.div(g.norm().add(1e-12)).mul(rho);
      if (t % 20 === 0) { const e = eps.dataSync(); arrows.push({ from: [x, y], to: [x + e[0], y + e[1]] }); }
      const h = grad(w.add(eps) as Tensor1D);
      updates.push(Array.from(h.dataSync()));
      return w.sub(h.mul(0.02));
    });
    w.dispose();
    w = next as Tensor1D;
  }
  w.dispose();
  return { points, arrows, updates };
}
const gd = run(0);
const sam = run(0.3);
display(trajectoryChart({
  title: 'Gradient descent settles in the sharp well; SAM stays out of it',
  xLabel: 'w₁', yLabel: 'w₂',
  surface: { z: z, x: xs, y: ys, contours: 12 },
  paths: [{ name: 'gradient descent', points: gd.points }, { name: 'SAM (ρ = 0.3)', points: sam.points }],
  arrows: sam.arrows, arrowsLabel: 'SAM ascent step ε',
}));
// %% [markdown]
// ## Where SAM stops, and why
// SAM's objective is the *worst* loss within distance ρ, max over ‖ε‖ ≤ ρ of L(w + ε). One SAM step only
// approximates its gradient: it takes ε = ρ·g/‖g‖ from the gradient at w, then descends with ∇L(w + ε). The cell
// below checks where SAM ends against that objective, computed by brute force over the ball (31 radii × 181
// directions), and against the gradient of L itself.
// %%
const lossAt = (x: number, y: number) => 0.3 * ((x - B[0]) ** 2 + (y - B[1]) ** 2) - Math.exp(-((x - A[0]) ** 2 + (y - A[1]) ** 2) / (2 * 0.15 * 0.15));
function worstCase(p: number[], rho: number): number {
  let best = -Infinity;
  for (let i = 0; i <= 30; i++) for (let j = 0; j <= 180; j++) {
    const r = (rho * i) / 30, a = (2 * Math.PI * j) / 180;
    best = Math.max(best, lossAt(p[0] + r * Math.cos(a), p[1] + r * Math.sin(a)));
  }
  return best;
}
const gradNorm = (p: number[]) => tf.tidy(() => grad(tf.tensor1d(p)).norm().dataSync()[0]);
const last = sam.points.slice(150);
const samEnd = [0, 1].map((k) => last.reduce((a, q) => a + q[k], 0) / last.length); // centre of the last 50 iterates
const spread = [0, 1].map((k) => Math.max(...last.map((q) => q[k])) - Math.min(...last.map((q) => q[k])));
// SAM's descent gradients over the last 50 steps: large one by one, nearly cancelling on average
const lastUpdates = sam.updates.slice(150);
const meanUpdate = [0, 1].map((k) => lastUpdates.reduce((a, u) => a + u[k], 0) / lastUpdates.length);
const meanUpdateNorm = lastUpdates.reduce((a, u) => a + Math.hypot(u[0], u[1]), 0) / lastUpdates.length;
// the direction of ε flips when the gradient at w turns around
let flips = 0;
for (let t = 151; t < 200; t++) {
  const g0 = tf.tidy(() => grad(tf.tensor1d(sam.points[t - 1])).dataSync()[0]);
  const g1 = tf.tidy(() => grad(tf.tensor1d(sam.points[t])).dataSync()[0]);
  if (Math.sign(g0) !== Math.sign(g1)) flips++;
}
display.markdown([
  `| point | L(w) | ‖∇L(w)‖ | worst case max over ‖ε‖ ≤ 0.3 of L(w+ε) |`, `|---|---|---|---|`,
  `| centre of SAM's last 50 iterates (${samEnd.map((v) => v.toFixed(2)).join(', ')}) | ${lossAt(samEnd[0], samEnd[1]).toFixed(3)} | ${gradNorm(samEnd).toFixed(3)} | ${worstCase(samEnd, 0.3).toFixed(3)} |`,
  `| bowl minimum b = (0.7, 0) | ${lossAt(0.7, 0).toFixed(3)} | ${gradNorm(B).toFixed(3)} | ${worstCase(B, 0.3).toFixed(3)} |`,
  `| start w₀ = (−0.6, 0.3) | ${lossAt(-0.6, 0.3).toFixed(3)} | ${gradNorm([-0.6, 0.3]).toFixed(3)} | ${worstCase([-0.6, 0.3], 0.3).toFixed(3)} |`,
  '',
  `gradient descent ends at (${gd.points[199].map((v) => v.toFixed(2)).join(', ')}), SAM's last iterate is (${sam.points[199].map((v) => v.toFixed(2)).join(', ')}). Over SAM's last 50 steps the iterate stays within a ${spread[0].toFixed(3)} × ${spread[1].toFixed(3)} box, the sign of ∂L/∂w₁ at the iterate changes ${flips} times, and the SAM descent gradients have mean norm ${meanUpdateNorm.toFixed(3)} but their average has norm ${Math.hypot(meanUpdate[0], meanUpdate[1]).toFixed(3)}.`,
].join('\n'));
// %% [markdown]
// SAM does **not** stop where the worst case is lowest: the worst case where it stalls is about ten times the one at
// the bowl's minimum b (the table). It stalls on the ridge between the sharp well and the wide bowl, next to a
// **stationary point of L itself** (the saddle where the well's pull and the bowl's slope cancel; ‖∇L‖ there is a
// small fraction of its value at the start). Near it g = ∇L(w) is small and turns around as w crosses the ridge,
// so the *normalised* ascent ε = ρ·g/‖g‖ flips between the two sides (the sign changes counted above), and the
// descent gradient taken at w + ε pushes w back onto the ridge from both sides: the individual SAM updates are large
// but cancel on average. This is a spurious stationary point of one-step SAM, not a minimum of its worst-case
// objective. One ascent step is a first-order approximation of the inner maximum; with ρ = 0.3 on a surface that
// curves this much within ρ, it is a poor one.
// %% [markdown]
// ## The library's SAM on a real model
// `createOptimizer({name: 'sam', rho: 0.05}, base)` does the same on any model. The step-through API shows that the
// perturbation has norm ρ exactly and that the loss at θ + ε is higher than at θ (the ascent worked).
// %%
const digits = loadDigits(20);
const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 32, activation: 'tanh' }), tf.layers.dense({ units: 10 })] });
const samOpt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.adam(1e-3, 0.9, 0.99));
const st = samOpt.begin(net, { x: digits.x, y: digits.y });
const first = st.firstGradient();
const pert = st.perturbation();
const second = st.perturbedGradient();
st.descend();
display.markdown(`L(θ) = ${first.loss.toFixed(4)}, ‖g‖ = ${first.gradNorm.toFixed(4)}; ‖ε‖ = ${pert.perturbationNorm?.toFixed(6)} (ρ = 0.05); L(θ+ε) = ${second.perturbedLoss?.toFixed(4)}`);
// %% [markdown]
// ## Step through one SAM step yourself
// With the TRAM kernel running (VS Code, or Jupyter), the output below is live: **next stage** runs one stage of a
// SAM step on the surface above (the first gradient g, the radius ρ, ε drawn as an arrow from θ, the gradient at
// θ + ε, the descent) and shows its figures; **next step** finishes the step; the **ρ** slider re-takes the step
// with another radius. Without a kernel (GitHub, nbconvert) it shows a picture of its first state.
// %%
const samStepper = stepper(createOptimizer({ name: 'sam', rho: 0.3 }, tf.train.sgd(0.02)), surface, undefined, {
  start: [-0.6, 0.3], surface: { x: [-1.1, 1.1], y: [-0.6, 0.6] },
});
samStepper
// %% [markdown]
// ## What to try next
// - Try `run(0.05)`: with a radius smaller than the well, SAM behaves like gradient descent here. ρ must match the
//   width of the minima you want to avoid. This is the hyperparameter TRAM replaces with a trust-region distance.
// - Start from w₀ = (0.5, 0.3): both go to the minimum of the bowl.
// - Next: **02 ASAM**, where the neighbourhood adapts to the scale of each weight.
