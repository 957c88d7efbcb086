export * from './optim';
// Analysis (ε-sharpness, landscape slices, Hessian eigenvalue); linear CKA comes from ./optim (a scalar tensor).
export { epsilonSharpness, lossLine, lossSurface, lossInterpolation, topHessianEigenvalue, filterNormalizedDirection, filterNormalize } from './analysis';
export type { SharpnessOptions, SharpnessResult, LineOptions, SurfaceOptions, InterpolationOptions, LineResult, SurfaceResult, HessianOptions, HessianResult, DirectionOptions } from './analysis';
export * from './data';
