export * from './optim';
// Analysis (ε-sharpness, landscape slices, Hessian eigenvalue); linear CKA comes from ./optim (a scalar tensor).
export { epsilonSharpness, lossLine, lossSurface, lossInterpolation, topHessianEigenvalue, filterNormalizedDirection, filterNormalize } from './analysis';
export type { SharpnessOptions, SharpnessResult, LineOptions, SurfaceOptions, InterpolationOptions, LineResult, SurfaceResult, HessianOptions, HessianResult, DirectionOptions } from './analysis';
export * from './data';
export { slider, select, toggle, button, output, box, stepper, Slider, Select, Toggle, Button, Output, Box, Stepper } from './widgets';
export type { SliderOptions, SelectOptions, StepperOptions, WidgetView } from './widgets';
