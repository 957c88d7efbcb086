/**
 * Running part of a tf.LayersModel's graph with some symbolic tensors fed. Used to split a model whose inputs
 * are integer token ids at the output of its first Embedding layer:
 *   embed(x) = the Embedding layer's output,   body(e, x) = the model's output with that output replaced by e
 * (x is fed too, for branches that do not pass through the embedding). Layers run with `{training}` and, as in
 * tfjs's own executor, the Keras mask of their first masked input (so `maskZero` embeddings keep masking).
 *
 * Contract: with feeds {input: x} evalGraph(model.outputs[0]) equals model.apply(x) exactly; each layer node
 * runs at most once per call. Call inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError } from '../core';

type Sym = tf.SymbolicTensor;
interface Value {
  value: tf.Tensor;
  mask: tf.Tensor | null;
}
interface NodeLike {
  inputTensors: Sym[];
  outputTensors: Sym[];
}

/** The value of `fetch` given values for some symbolic tensors (by id). */
export function evalGraph(fetch: Sym, feeds: Map<number, Value>, training: boolean): tf.Tensor {
  const memo = new Map<number, Value>(feeds);
  const visit = (st: Sym): Value => {
    const hit = memo.get(st.id);
    if (hit) return hit;
    const layer = st.sourceLayer;
    if (layer.getClassName() === 'InputLayer') {
      throw new OptimConfigError(`model input '${st.name}' has no value: the model needs an input the optimizer cannot give`);
    }
    const node = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[st.nodeIndex];
    const ins = node.inputTensors.map(visit);
    const values = ins.map((v) => v.value);
    const masks = ins.map((v) => v.mask);
    const kwargs: Record<string, unknown> = { training };
    const mask = masks.find((m) => m) ?? null;
    if (mask) kwargs.mask = mask;
    const arg = values.length === 1 ? values[0] : values;
    const out = layer.apply(arg, kwargs) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    const outMask = layer.supportsMasking ? layer.computeMask(arg, mask ?? undefined) : null;
    node.outputTensors.forEach((o, i) =>
      memo.set(o.id, { value: outs[i], mask: Array.isArray(outMask) ? outMask[i] ?? null : outMask ?? null }),
    );
    const v = memo.get(st.id);
    if (!v) throw new OptimConfigError(`could not evaluate '${st.name}' in the model's graph`);
    return v;
  };
  return visit(fetch).value;
}

/** The first Embedding layer of a model (in its topological layer order) and its output, or null. */
export function firstEmbedding(model: tf.LayersModel): { layer: tf.layers.Layer; output: Sym } | null {
  const layer = model.layers.find((l) => l.getClassName() === 'Embedding');
  if (!layer) return null;
  const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
  if (nodes.length !== 1) {
    throw new OptimConfigError(
      `the Embedding layer '${layer.name}' is used ${nodes.length} times: give the split yourself with ` +
        'fromLayersModel({embed, body}) or fromFunction(vars, forward, {embed, body})',
    );
  }
  return { layer, output: nodes[0].outputTensors[0] };
}
