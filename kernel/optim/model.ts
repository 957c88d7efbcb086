/**
 * Model adapters. The optimizers see every model as
 *   logits = body(embed(x)),
 * with `trainable` variables (what is perturbed and updated) and `state` variables (non-trainable buffers
 * such as BatchNorm moving statistics). The split lets the noised-input variants (TRAM-x, TRAM-Fisher, R3F)
 * add noise to the input embeddings: q = body(embed(x) + z). For continuous inputs embed is the identity and
 * noise is added to x itself.
 *
 * - {@link fromLayersModel}: a `tf.LayersModel` / `tf.Sequential`, optionally split after its first
 *   `embedLayers` layers (or given as two models `{embed, body}`).
 * - {@link fromFunction}: a plain function of variables, `forward(x, training) → logits`.
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError } from './errors';

export interface ModelAdapter {
  /** Variables that are perturbed and updated (the model's trainable weights). */
  readonly trainable: tf.Variable[];
  /** Non-trainable state (BatchNorm moving mean/variance…), saved and restored around the extra passes. */
  readonly state: tf.Variable[];
  /** Input embeddings e = embed(x) (the identity when the model has no embedding part). */
  embed(x: tf.Tensor, training: boolean): tf.Tensor;
  /** Logits from embeddings. */
  body(e: tf.Tensor, training: boolean): tf.Tensor;
  /** Logits from inputs, body(embed(x)). */
  forward(x: tf.Tensor, training: boolean): tf.Tensor;
}

/** True for objects that already are adapters. */
export function isModelAdapter(m: unknown): m is ModelAdapter {
  return !!m && typeof m === 'object' && Array.isArray((m as ModelAdapter).trainable) &&
    typeof (m as ModelAdapter).forward === 'function' && typeof (m as ModelAdapter).body === 'function';
}

function isLayersModel(m: unknown): m is tf.LayersModel {
  return m instanceof tf.LayersModel;
}

function variablesOf(ws: tf.LayerVariable[]): tf.Variable[] {
  return ws.map((w) => w.read() as tf.Variable);
}

function applyLayers(layers: tf.layers.Layer[], x: tf.Tensor, training: boolean): tf.Tensor {
  let h = x;
  for (const l of layers) h = l.apply(h, { training }) as tf.Tensor;
  return h;
}

export interface LayersModelOptions {
  /**
   * Number of leading layers that form `embed` (the rest form `body`). Layers are applied one after the other,
   * so this needs a model whose layers form a chain (any `tf.sequential`). 0 (default): embed is the identity.
   */
  embedLayers?: number;
}

/**
 * Adapter for a `tf.LayersModel`, or for a pair `{embed, body}` of models applied one after the other.
 * Trainable and state variables are those of the model(s), in their weight order.
 */
export function fromLayersModel(
  model: tf.LayersModel | { embed: tf.LayersModel; body: tf.LayersModel },
  options: LayersModelOptions = {},
): ModelAdapter {
  if (isLayersModel(model)) {
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    const kk = options.embedLayers ?? 0;
    if (!Number.isInteger(kk) || kk < 0 || kk > layers.length) {
      throw new OptimConfigError(
        `embedLayers must be an integer in [0, ${layers.length}] (got ${kk}): the number of leading layers forming the embedding`,
      );
    }
    return {
      trainable: variablesOf(model.trainableWeights),
      state: variablesOf(model.nonTrainableWeights),
      embed: (x, training) => (kk === 0 ? x : applyLayers(layers.slice(0, kk), x, training)),
      body: (e, training) =>
        kk === 0 ? (model.apply(e, { training }) as tf.Tensor) : applyLayers(layers.slice(kk), e, training),
      forward: (x, training) => model.apply(x, { training }) as tf.Tensor,
    };
  }
  if (!model || !isLayersModel((model as { embed: unknown }).embed) || !isLayersModel((model as { body: unknown }).body)) {
    throw new OptimConfigError('fromLayersModel needs a tf.LayersModel or {embed: tf.LayersModel, body: tf.LayersModel}');
  }
  const { embed, body } = model;
  return {
    trainable: [...variablesOf(embed.trainableWeights), ...variablesOf(body.trainableWeights)],
    state: [...variablesOf(embed.nonTrainableWeights), ...variablesOf(body.nonTrainableWeights)],
    embed: (x, training) => embed.apply(x, { training }) as tf.Tensor,
    body: (e, training) => body.apply(e, { training }) as tf.Tensor,
    forward: (x, training) => body.apply(embed.apply(x, { training }) as tf.Tensor, { training }) as tf.Tensor,
  };
}

export interface FunctionModelOptions {
  /** Non-trainable variables the forward function reads and may write (saved/restored like BN statistics). */
  state?: tf.Variable[];
  /** Split for noised-input variants: forward(x) must equal body(embed(x)). Default: embed = identity. */
  embed?: (x: tf.Tensor, training: boolean) => tf.Tensor;
  body?: (e: tf.Tensor, training: boolean) => tf.Tensor;
}

/** Adapter for a plain function of variables: logits = forward(x, training). */
export function fromFunction(
  variables: tf.Variable[],
  forward: (x: tf.Tensor, training: boolean) => tf.Tensor,
  options: FunctionModelOptions = {},
): ModelAdapter {
  if (!Array.isArray(variables) || variables.some((v) => !(v instanceof tf.Variable))) {
    throw new OptimConfigError('fromFunction needs an array of tf.Variable (create them with tf.variable(...))');
  }
  if ((options.embed === undefined) !== (options.body === undefined)) {
    throw new OptimConfigError('fromFunction: give both embed and body (forward(x) = body(embed(x))) or neither');
  }
  const embed = options.embed ?? ((x: tf.Tensor) => x);
  const body = options.body ?? forward;
  return { trainable: variables, state: options.state ?? [], embed, body, forward };
}

/** Accepts an adapter, a LayersModel or an {embed, body} pair. Adapters are cached per model object. */
const cache = new WeakMap<object, ModelAdapter>();
export type ModelLike = ModelAdapter | tf.LayersModel | { embed: tf.LayersModel; body: tf.LayersModel };
export function asModel(m: ModelLike): ModelAdapter {
  if (isModelAdapter(m)) return m;
  const hit = cache.get(m);
  if (hit) return hit;
  if (isLayersModel(m) || (m && isLayersModel((m as { embed: unknown }).embed))) {
    const a = fromLayersModel(m as tf.LayersModel);
    cache.set(m, a);
    return a;
  }
  throw new OptimConfigError(
    'expected a model: a tf.LayersModel, {embed, body} LayersModels, or an adapter from fromLayersModel/fromFunction',
  );
}

/** All weights a target copy holds: trainable then state. */
export function allVariables(m: ModelAdapter): tf.Variable[] {
  return [...m.trainable, ...m.state];
}

/** Saves the values of `vars` (clones share storage; variables are replaced, never written in place). */
export function snapshot(vars: tf.Variable[]): tf.Tensor[] {
  return vars.map((v) => tf.keep(v.clone()));
}

/** Assigns saved values back, exactly. Does not dispose `saved`. */
export function restore(vars: tf.Variable[], saved: tf.Tensor[]): void {
  vars.forEach((v, i) => v.assign(saved[i]));
}

/** Runs `f` with the state variables saved before and restored after (BatchNorm statistics untouched). */
export function withStateRestored<T>(m: ModelAdapter, f: () => T): T {
  if (m.state.length === 0) return f();
  const saved = snapshot(m.state);
  try {
    return f();
  } finally {
    restore(m.state, saved);
    saved.forEach((t) => t.dispose());
  }
}

/** Runs `f` with `weights` (trainable then state) swapped in, then puts the model's own weights back. */
export function withWeights<T>(m: ModelAdapter, weights: tf.Tensor[], f: () => T): T {
  const vars = allVariables(m);
  const saved = snapshot(vars);
  try {
    restore(vars, weights);
    return f();
  } finally {
    restore(vars, saved);
    saved.forEach((t) => t.dispose());
  }
}
