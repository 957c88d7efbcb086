/**
 * The notebook surface: the one module whose exports become cell globals (besides `tf`, `display`, `progress`,
 * `signal`, `importESM` and the chart helpers), by name, so that nothing internal leaks into cells. `tram` in a
 * cell is this module. Its declarations are committed as `kernel/notebook-globals.d.ts` and compared by a test, so
 * a change to what cells see shows in review.
 *
 * Numbers or tensors: the analysis tools return numbers; `linearCka` and `globalNorm` return scalar tensors (the
 * library's tensor helpers never free their arguments) and `linearCkaValue` is the number form.
 */

// Optimizers: build, step, serialise.
export { createOptimizer, fromConfig, getConfig, METHOD_NAMES } from './optim/config';
export type { MethodConfig, MethodName, CreateOptions, TramTarget } from './optim/config';
export { SharpnessAwareOptimizer } from './optim/optimizer';
export type { SharpnessAwareOptions, OptimizerConfig } from './optim/optimizer';
export { StepThrough } from './optim/stepThrough';
export type { Batch } from './optim/batch';
export type { AscentRule, RadiusRule, TaskLoss } from './optim/pass';
export type { StepReport } from './optim/report';
export type { OptimizerState } from './optim/state';
export { fromLayersModel, fromFunction } from './optim/model';
export type { ModelAdapter, ModelLike } from './optim/model';

// The parts the component notebooks take apart.
export { divergence, klDivergence, l2Distance, mmd } from './optim/divergences';
export type { DivergenceSpec } from './optim/divergences';
export { sparseCrossEntropy } from './optim/loss';
export { perturbation, identityPreconditioner, adaptivePreconditioner, fisherPreconditioner } from './optim/perturbation';
export { radiusFromDivergence } from './optim/radius';
export { noisedInputTarget, parameterHistoryTarget } from './optim/targets';
export { gaussianNoise, uniformNoise } from './optim/noise';
export type { NoiseConfig, NoiseSource } from './optim/noise';
export { r3fRegularizer, trpoRegularizer, mesaRegularizer } from './optim/regularizers';
export { scheduleValue } from './optim/schedule';
export type { Schedule } from './optim/schedule';

// Errors.
export { TramError, InputError, OptimConfigError, NonFiniteError } from './core/errors';

// Analysis.
export { linearCka, linearCkaValue } from './core/cka';
export { globalNorm } from './core/tensors';
export { epsilonSharpness, lossLine, lossSurface, lossInterpolation, topHessianEigenvalue, filterNormalizedDirection, filterNormalize } from './analysis';
export type { SharpnessOptions, SharpnessResult, LineOptions, SurfaceOptions, InterpolationOptions, LineResult, SurfaceResult, HessianOptions, HessianResult, DirectionOptions } from './analysis';

// Data and the shared fine-tuning task.
export { loadDigits, pretrainedDigitsTask } from './data';
export type { DigitsTask, DigitsTaskOptions, FineTuneOptions } from './data';

// Widgets: controls and outputs that talk to the kernel, and the optimizer stepper (docs/widgets.md).
export { slider, select, toggle, button, output, box, stepper, Slider, Select, Toggle, Button, Output, Box, Stepper } from './widgets';
export type { SliderOptions, SelectOptions, StepperOptions, WidgetView } from './widgets';
