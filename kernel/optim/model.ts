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
 *
 * Integer inputs (the embedding rule): noise is never added to an integer tensor. By default
 * (`embedLayers: 'auto'`) a LayersModel containing an Embedding layer is split at the output of its first
 * Embedding layer (Sequential or functional), so noise goes on the token embeddings. Where no such split
 * exists, {@link noisedLogits} stops with an error naming `embedLayers` / `{embed, body}` instead of noising
 * ids (tfjs's Embedding would truncate noised ids back to integers, silently swapping tokens).
 */
import * as tf from '@tensorflow/tfjs';
import { OptimConfigError, restore, snapshot } from '../core';
import { evalGraph, firstEmbedding } from './graph';

export interface ModelAdapter {
  /** Variables that are perturbed and updated (the model's trainable weights). */
  readonly trainable: tf.Variable[];
  /** Non-trainable state (BatchNorm moving mean/variance…), saved and restored around the extra passes. */
  readonly state: tf.Variable[];
  /** Input embeddings e = embed(x) (the identity when the model has no embedding part). */
  embed(x: tf.Tensor, training: boolean): tf.Tensor;
  /** Logits from embeddings (x: the inputs e came from, for models with branches that bypass the embedding). */
  body(e: tf.Tensor, training: boolean, x?: tf.Tensor): tf.Tensor;
  /** Logits from inputs, body(embed(x)). */
  forward(x: tf.Tensor, training: boolean): tf.Tensor;
  /** Set when noising embed(x) would be wrong (e.g. an Embedding layer after the split): the error to raise. */
  readonly noiseError?: string | null;
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
   * so this needs a model whose layers form a chain (any `tf.sequential`). 0: embed is the identity.
   * 'auto' (default): split at the output of the first Embedding layer when the model has one (Sequential or
   * functional), else the identity.
   */
  embedLayers?: number | 'auto';
}

const INTEGER_DTYPES = ['int32', 'bool'];

/**
 * Logits on noised input embeddings, body(embed(x) + z). Throws when embed(x) is an integer tensor (noise would
 * be added to token ids) or when the adapter knows its embedding comes later than its split.
 */
export function noisedLogits(
  m: ModelAdapter,
  x: tf.Tensor,
  noise: (shape: number[]) => tf.Tensor,
  training: boolean,
): tf.Tensor {
  if (m.noiseError) throw new OptimConfigError(m.noiseError);
  const e = m.embed(x, training);
  if (INTEGER_DTYPES.includes(e.dtype)) {
    throw new OptimConfigError(
      `input noise would be added to a ${e.dtype} tensor of shape [${e.shape}] (integer token ids?) and no embedding ` +
        'output was found to noise instead: use a model with an Embedding layer, or say where the embeddings are with ' +
        'fromLayersModel(model, {embedLayers: k}) (k = the leading layers up to and including the embedding), ' +
        'fromLayersModel({embed, body}) or fromFunction(vars, forward, {embed, body})',
    );
  }
  return m.body(tf.add(e, noise(e.shape)), training, x);
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
    const trainable = variablesOf(model.trainableWeights);
    const state = variablesOf(model.nonTrainableWeights);
    const forward = (x: tf.Tensor, training: boolean) => model.apply(x, { training }) as tf.Tensor;
    const kk = options.embedLayers ?? 'auto';
    if (kk === 'auto') {
      const emb = firstEmbedding(model);
      if (!emb) {
        return { trainable, state, embed: (x) => x, body: (e, training) => forward(e, training), forward };
      }
      if (model.inputs.length !== 1 || model.outputs.length !== 1) {
        throw new OptimConfigError(
          `a model with ${model.inputs.length} inputs and ${model.outputs.length} outputs cannot be split at its embedding automatically: ` +
            'give the split with fromLayersModel({embed, body}) or fromFunction(vars, forward, {embed, body})',
        );
      }
      const input = model.inputs[0];
      const output = model.outputs[0];
      const embed = (x: tf.Tensor, training: boolean) =>
        evalGraph(emb.output, new Map([[input.id, { value: x, mask: null }]]), training);
      const body = (e: tf.Tensor, training: boolean, x?: tf.Tensor) => {
        const feeds = new Map<number, { value: tf.Tensor; mask: tf.Tensor | null }>();
        if (x) feeds.set(input.id, { value: x, mask: null });
        const mask = x && emb.layer.supportsMasking ? ((emb.layer.computeMask(x) as tf.Tensor | null) ?? null) : null;
        feeds.set(emb.output.id, { value: e, mask });
        return evalGraph(output, feeds, training);
      };
      return { trainable, state, embed, body, forward };
    }
    if (!Number.isInteger(kk) || kk < 0 || kk > layers.length) {
      throw new OptimConfigError(
        `embedLayers must be 'auto' or an integer in [0, ${layers.length}] (got ${JSON.stringify(kk)}): the number of leading layers forming the embedding`,
      );
    }
    const later = layers.slice(kk).find((l) => l.getClassName() === 'Embedding');
    const noiseError = later
      ? `embedLayers = ${kk} splits the model before its Embedding layer '${later.name}', so input noise would be added to token ids: ` +
        `leave embedLayers out ('auto') or set embedLayers to ${layers.indexOf(later) + 1}`
      : null;
    return {
      trainable,
      state,
      embed: (x, training) => (kk === 0 ? x : applyLayers(layers.slice(0, kk), x, training)),
      body: (e, training) => (kk === 0 ? forward(e, training) : applyLayers(layers.slice(kk), e, training)),
      forward,
      noiseError,
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
