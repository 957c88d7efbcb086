/**
 * The optimizer library: SAM, ASAM, Fisher-SAM, TRAM (θ₀, θₜ₋₁, EMA, x), TRAM-Fisher and the trust-region
 * baselines (R3F, TRPO-style, MESA, naive ASAM + regulariser) on TensorFlow.js, as one ascent/descent core
 * (Sherborne et al., TRAM, ICLR 2024).
 *
 * API overview
 * - Build:  createOptimizer(method: MethodConfig, base: tf.Optimizer, options?: CreateOptions) → SharpnessAwareOptimizer
 *           method is FORMAT.md's JSON, e.g. {name: 'tram', target: 'x', eta: 0.01, scope: 'weights', scale: 1,
 *           divergence: {kind: 'kl', direction: 'forward', reduction: 'batchmean'}, noise: {kind: 'gaussian', sigma: 0.1}}
 *           names: sgd | adam | base | none (the base optimizer alone) | sam | asam | fisher-sam | tram | tram-fisher | r3f | trpo | mesa |
 *                  asam+r3f | asam+trpo | asam+mesa
 *           options: {noise?: NoiseSource, initialTarget?, batchSplits?, onNonFinite?: 'throw'|'skip',
 *                     reportCleanLoss?, targetTraining?, compare?: 'train-vs-inference'|'like-for-like',
 *                     loss?: (output, batch) => scalar}
 *           rho / gamma / scale: a number, {kind: 'linear'|'cosine'|'step', …} or (step) => number (schedule.ts)
 * - Step:   opt.step(model: ModelLike, batch: {x, y, mask?} | Batch[] (gradient accumulation)) → StepReport
 *           {step, loss, gradNorm, divergence?, radius?, perturbationNorm?, perturbedLoss?, regularizedLoss?,
 *            descentGradNorm, skipped?, skipReason?}
 * - Stages: const s = opt.begin(model, batch); s.firstGradient(); s.divergence(); s.radius(); s.perturbation();
 *           s.perturbedGradient(); s.descend() → StepReport   (s.gradient, s.epsilon, s.perturbedGrad, s.logits;
 *           s.dispose() abandons the step)
 * - Config: opt.getConfig() → OptimizerConfig; fromConfig(config) → SharpnessAwareOptimizer
 * - State:  await opt.saveState() → OptimizerState (JSON); await opt.loadState(state)
 * - Models: fromLayersModel(model | {embed, body}, {embedLayers?: number | 'auto'}), fromFunction(vars, forward, {embed?, body?, state?});
 *           a tf.LayersModel can also be passed to step() directly
 * - Parts:  divergence(spec, target, current, mask?), klDivergence, l2Distance, mmd, linearCka,
 *           sparseCrossEntropy, perturbation(g, P, r), identity/adaptive/fisherPreconditioner,
 *           noisedInputTarget(), parameterHistoryTarget({decay, initial?}), gaussianNoise/uniformNoise(σ, seed),
 *           r3fRegularizer, trpoRegularizer, mesaRegularizer, new SharpnessAwareOptimizer(base, {ascent, regularizer, …})
 * - Errors: OptimConfigError (bad input), NonFiniteError (non-finite loss/gradient: method, step, quantity)
 */
export * from '../core';
export * from './loss';
export * from './divergences';
export * from './model';
export * from './noise';
export * from './perturbation';
export * from './radius';
export * from './targets';
export * from './regularizers';
export * from './optimizer';
export * from './config';
export * from './schedule';
export * from './state';
export { evalGraph, firstEmbedding } from './graph';
export { FlatAdam, FlatMomentum, type FlatAdamOptions, type FlatMomentumOptions } from './flat';
