/**
 * Gradients with a tape that is cleaned up on failure (an engine workaround).
 *
 * When the forward function throws inside a gradient scope, tfjs leaves the tensors it saved for the backward
 * pass (kept clones) on its tape; `gradsOf` frees them as tfjs itself does after a backward pass, so a failing
 * step does not leak. Only the outermost tape is touched.
 */
import * as tf from '@tensorflow/tfjs';

function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) node.saved?.forEach((t) => t.dispose());
  state.activeTape = null;
}

/**
 * ∇ of `f().loss` with respect to `vars` (zeros for a variable the loss does not read), the loss value, and
 * clones of the tensors `f` asks to keep (e.g. the logits), all owned by the caller.
 */
export function gradsOf(
  vars: tf.Variable[],
  f: () => { loss: tf.Scalar; keep: tf.Tensor[] },
): { value: tf.Scalar; grads: tf.Tensor[]; kept: tf.Tensor[] } {
  let kept: tf.Tensor[] = [];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const r = f();
      kept = r.keep.map((t) => tf.keep(t));
      return r.loss;
    }, vars);
    const gs = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    return { value, grads: gs, kept: kept.map((t) => t.clone()) };
  } catch (e) {
    releaseAbandonedTape();
    throw e;
  } finally {
    kept.forEach((t) => t.dispose());
  }
}
