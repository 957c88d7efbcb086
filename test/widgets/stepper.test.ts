/**
 * The optimizer stepper (kernel/widgets/stepper.ts) driven through widget messages, as an output would.
 * Expected figures are float64 closed forms of SAM on L(w) = 0.3‖w − b‖² − exp(−‖w − a‖²/(2s²)):
 *   ∇L(w) = 0.6 (w − b) + exp(−‖w − a‖²/(2s²)) (w − a)/s²,  ε = ρ g/‖g‖,  h = ∇L(w + ε),  w' = w − lr·h.
 * Memory: a finished step leaves tf.memory().numTensors unchanged.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../kernel/optim';
import { flushWidgets, handleWidgetMessage, setWidgetHost, stepper, WIDGET_MIME, type Stepper, type WidgetKernelMessage } from '../../kernel/widgets';

const A = [-0.5, 0];
const B = [0.7, 0];
const S = 0.15;
const W0 = [-0.6, 0.3];
const LR = 0.02;

function lossF64(w: number[]): number {
  const da = (w[0] - A[0]) ** 2 + (w[1] - A[1]) ** 2;
  const db = (w[0] - B[0]) ** 2 + (w[1] - B[1]) ** 2;
  return 0.3 * db - Math.exp(-da / (2 * S * S));
}
function gradF64(w: number[]): number[] {
  const da = (w[0] - A[0]) ** 2 + (w[1] - A[1]) ** 2;
  const e = Math.exp(-da / (2 * S * S));
  return [0, 1].map((k) => 0.6 * (w[k] - B[k]) + (e * (w[k] - A[k])) / (S * S));
}
const norm = (v: number[]) => Math.hypot(...v);
/** One SAM step in float64: the figures the stepper shows, and w after it. */
function samStep(w: number[], rho: number) {
  const g = gradF64(w);
  const eps = g.map((x) => (rho * x) / norm(g));
  const we = [w[0] + eps[0], w[1] + eps[1]];
  const h = gradF64(we);
  return { loss: lossF64(w), gradNorm: norm(g), perturbedLoss: lossF64(we), perturbedGradNorm: norm(h), next: [w[0] - LR * h[0], w[1] - LR * h[1]] };
}
function lossTf(w: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const da = w.sub(tf.tensor1d(A)).square().sum();
    const db = w.sub(tf.tensor1d(B)).square().sum();
    return db.mul(0.3).sub(tf.exp(da.div(-2 * S * S))) as tf.Scalar;
  });
}

const close = (got: number | undefined, want: number, what: string, tol = 1e-4) =>
  assert.ok(got !== undefined && Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

let sent: WidgetKernelMessage[] = [];
const click = (id: string) => handleWidgetMessage({ type: 'widget_msg', widget: id, action: 'click' });
const set = (id: string, value: unknown) => handleWidgetMessage({ type: 'widget_msg', widget: id, action: 'set', value });

describe('stepper', () => {
  let s: Stepper;
  before(() => {
    setWidgetHost({ send: (m) => sent.push(m), run: async (_id, fn) => { await fn(); } });
    s = stepper(createOptimizer({ name: 'sam', rho: 0.3 }, tf.train.sgd(LR)), lossTf, undefined, { start: W0 });
  });
  after(() => {
    s.dispose();
    flushWidgets();
    setWidgetHost(undefined);
  });

  it('shows the buttons, a ρ slider, the figures and a chart over the loss surface (PNG fallback included)', () => {
    const bundle = s.toMimeBundle();
    assert.ok(bundle[WIDGET_MIME]);
    assert.ok(typeof bundle['image/png'] === 'string' && (bundle['image/png'] as string).length > 1000, 'a PNG of the chart for viewers without a kernel');
    assert.match(String(bundle['text/plain']), /\[next stage\]\n\[next step\]\nρ = 0\.3/);
    assert.deepEqual(s.stages, ['start', 'first gradient', 'radius', 'ε', 'perturbed gradient', 'descent']);
    const chart = s.chartOut.bundle['application/vnd.tram.chart+json'] as { data: { datasets: { label: string }[] } };
    assert.ok(chart.data.datasets.some((d) => d.label === 'θ'), 'the path of θ is drawn');
  });

  it('"next stage" runs one stage at a time with the float64 figures of SAM', async () => {
    const want = samStep(W0, 0.3);
    await click(s.nextStageButton.id);
    assert.equal(s.stage, 'first gradient');
    close(s.values.loss, want.loss, 'L(θ)');
    close(s.values.gradNorm, want.gradNorm, '‖g‖');
    assert.equal(s.values.perturbationNorm, undefined, 'ε is not computed before its stage');
    assert.match(String(s.figuresOut.bundle['text/plain']), /stage 1\/5: first gradient/);
    await click(s.nextStageButton.id);
    close(s.values.radius, 0.3, 'r = ρ');
    await click(s.nextStageButton.id);
    close(s.values.perturbationNorm, 0.3, '‖ε‖ = ρ');
    const arrows = (s.chartOut.bundle['application/vnd.tram.chart+json'] as { data: { datasets: { label: string; data: { x: number | null; y: number | null }[] }[] } })
      .data.datasets.find((d) => d.label.startsWith('ε'));
    assert.ok(arrows, 'ε is drawn as an arrow');
    const g = gradF64(W0);
    close(arrows!.data[1].x! - arrows!.data[0].x!, (0.3 * g[0]) / norm(g), 'ε₁ on the chart');
    await click(s.nextStageButton.id);
    close(s.values.perturbedLoss, want.perturbedLoss, 'L(θ+ε)');
    close(s.values.perturbedGradNorm, want.perturbedGradNorm, '‖h‖');
    await click(s.nextStageButton.id);
    assert.equal(s.stage, 'descent');
    const w = Array.from((s as unknown as { model: { trainable: tf.Variable[] } }).model.trainable[0].dataSync());
    close(w[0], want.next[0], 'w₁ after the step', 1e-5);
    close(w[1], want.next[1], 'w₂ after the step', 1e-5);
  });

  it('"next step" finishes a whole step; numTensors is unchanged after each full step', async () => {
    const before = tf.memory().numTensors;
    let w = Array.from((s as unknown as { model: { trainable: tf.Variable[] } }).model.trainable[0].dataSync());
    for (let i = 0; i < 5; i++) {
      const want = samStep(w, 0.3);
      await click(s.nextStepButton.id);
      assert.equal(s.stage, 'descent');
      assert.equal(tf.memory().numTensors, before, `tensors after step ${i + 2}`);
      close(s.values.loss, want.loss, `L(θ) at step ${i + 2}`);
      w = Array.from((s as unknown as { model: { trainable: tf.Variable[] } }).model.trainable[0].dataSync());
      close(w[0], want.next[0], `w₁ after step ${i + 2}`, 1e-4);
    }
  });

  it('moving the ρ slider re-runs the current step from the same θ with the new radius', async () => {
    await click(s.nextStageButton.id); // first gradient of a new step
    await click(s.nextStageButton.id); // radius
    await click(s.nextStageButton.id); // ε
    const lossBefore = s.values.loss!;
    await set(s.knobs.rho.id, 0.1);
    assert.equal(s.stage, 'ε', 'the same stage is reached again');
    close(s.values.perturbationNorm, 0.1, '‖ε‖ = the new ρ');
    close(s.values.loss, lossBefore, 'the same θ');
    assert.equal((s.optimizer.methodConfig as { rho: number }).rho, 0.1);
    const chart = JSON.stringify(s.chartOut.bundle['application/vnd.tram.chart+json']);
    assert.ok(chart.length > 0);
    // a finished step re-taken with a new ρ: θ is the one before that step
    await click(s.nextStepButton.id);
    const w0 = Array.from((s as unknown as { beforeStep: tf.Tensor[] }).beforeStep[0].dataSync());
    await set(s.knobs.rho.id, 0.2);
    assert.equal(s.stage, 'descent');
    const want = samStep(w0, 0.2);
    const w = Array.from((s as unknown as { model: { trainable: tf.Variable[] } }).model.trainable[0].dataSync());
    close(w[0], want.next[0], 'w₁ after the re-taken step', 1e-4);
    close(s.values.perturbationNorm, 0.2, '‖ε‖ of the re-taken step');
  });

  it('a TRAM stepper on a model has the divergence stage, a σ slider and a target select', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 2);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    const opt = createOptimizer({ name: 'tram', target: 'x', noise: { kind: 'gaussian', sigma: 0.1, seed: 0 } }, tf.train.sgd(0.1));
    const t = stepper(opt, model, { x, y });
    assert.deepEqual(t.stages, ['start', 'first gradient', 'divergence', 'radius', 'ε', 'perturbed gradient', 'descent']);
    assert.deepEqual(Object.keys(t.knobs), ['sigma', 'target']);
    await click(t.nextStepButton.id); // warm-up: TRAM's target copies are made at the first step
    const n0 = tf.memory().numTensors;
    await click(t.nextStepButton.id);
    assert.equal(tf.memory().numTensors, n0, 'no tensor left behind by a full TRAM step');
    await click(t.nextStageButton.id);
    await click(t.nextStageButton.id);
    assert.ok((t.values.divergence ?? -1) >= 0, 'd measured');
    await set(t.knobs.target.id, 'theta0');
    assert.equal((t.optimizer.methodConfig as { target: string }).target, 'theta0');
    assert.equal(t.stage, 'divergence');
    await click(t.nextStageButton.id);
    await click(t.nextStageButton.id);
    const bars = t.chartOut.bundle['application/vnd.tram.chart+json'] as { type: string; data: { labels: string[] } };
    assert.equal(bars.type, 'bar');
    assert.equal(bars.data.labels.length, 2, 'one bar per variable (kernel, bias)');
    t.dispose();
    opt.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });

  it('a stage that throws shows the error in the widget and the next click starts a fresh step', async () => {
    let boom = false;
    const L = (w: tf.Tensor1D) => {
      if (boom) throw new Error('the loss failed');
      return lossTf(w);
    };
    const t = stepper(createOptimizer({ name: 'sam', rho: 0.3 }, tf.train.sgd(LR)), L, undefined, { start: W0 });
    const n0 = tf.memory().numTensors;
    boom = true;
    sent = [];
    await click(t.nextStageButton.id);
    const failed = sent.filter((m) => m.widget === t.nextStageButton.id && m.view).at(-1);
    assert.equal(failed?.view?.error, 'the loss failed');
    assert.equal(t.stage, 'start');
    assert.equal(tf.memory().numTensors, n0, 'the abandoned step freed its tensors');
    boom = false;
    await click(t.nextStageButton.id);
    assert.equal(t.stage, 'first gradient');
    close(t.values.loss, samStep(W0, 0.3).loss, 'L(θ) after the failure');
    const fine = sent.filter((m) => m.widget === t.nextStageButton.id && m.view).at(-1);
    assert.equal(fine?.view?.error, undefined, 'the error is cleared by the next good run');
    t.dispose();
  });

  it('refuses what it cannot step, naming the fix', () => {
    const opt = createOptimizer({ name: 'sam', rho: 0.05 }, tf.train.sgd(0.1));
    assert.throws(() => stepper(opt, lossTf), /opts\.start/);
    assert.throws(() => stepper({} as never, lossTf, undefined, { start: [0, 0] }), /needs an optimizer from createOptimizer/);
    assert.throws(() => stepper(opt, tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] })), /batch must be \{x: tf\.Tensor, y: tf\.Tensor\}/);
    opt.dispose();
  });
});
