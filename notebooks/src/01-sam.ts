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
type Tensor = tf.Tensor;
type Tensor1D = tf.Tensor1D;
type Tensor2D = tf.Tensor2D;
type Scalar = tf.Scalar;
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
function run(rho: number): { points: [number, number][]; arrows: { from: [number, number]; to: [number, number] }[] } {
  let w = tf.tensor1d([-0.6, 0.3]);
  const points: [number, number][] = [];
  const arrows: { from: [number, number]; to: [number, number] }[] = [];
  for (let t = 0; t < 200; t++) {
    const [x, y] = Array.from(w.dataSync());
    points.push([x, y]);
    const next = tf.tidy(() => {
      const g = grad(w);
      if (rho === 0) return w.sub(g.mul(0.02));
      const eps = g.div(g.norm().add(1e-12)).mul(rho);
      if (t % 20 === 0) { const e = eps.dataSync(); arrows.push({ from: [x, y], to: [x + e[0], y + e[1]] }); }
      return w.sub(grad(w.add(eps) as Tensor1D).mul(0.02));
    });
    w.dispose();
    w = next as Tensor1D;
  }
  w.dispose();
  return { points, arrows };
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
// SAM minimises the *worst* loss within distance ρ, max over ‖ε‖ ≤ ρ of L(w + ε), not L itself. Where that ball reaches
// the steep walls of the sharp well the worst case is high, so SAM stays about ρ away from it, on the side of the
// wide basin, where the worst case is lowest.
// %%
display.markdown(`gradient descent ends at (${gd.points[199].map((v) => v.toFixed(2)).join(', ')}), SAM at (${sam.points[199].map((v) => v.toFixed(2)).join(', ')})`);
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
// ## What to try next
// - Try `run(0.05)`: with a radius smaller than the well, SAM behaves like gradient descent here. ρ must match the
//   width of the minima you want to avoid. This is the hyperparameter TRAM replaces with a trust-region distance.
// - Start from w₀ = (0.5, 0.3): both go to the minimum of the bowl.
// - Next: **02 ASAM**, where the neighbourhood adapts to the scale of each weight.
