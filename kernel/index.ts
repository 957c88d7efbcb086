export * from './optim';
// Analysis (ε-sharpness, landscape slices, Hessian eigenvalue); linear CKA (tensor and number) comes from ./core via ./optim.
export { epsilonSharpness, lossLine, lossSurface, lossInterpolation, topHessianEigenvalue, filterNormalizedDirection, filterNormalize } from './analysis';
export type { SharpnessOptions, SharpnessResult, LineOptions, SurfaceOptions, InterpolationOptions, LineResult, SurfaceResult, HessianOptions, HessianResult, DirectionOptions } from './analysis';
export * from './data';
