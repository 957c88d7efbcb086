/**
 * Analysis tools from the TRAM paper's evaluation and the works it cites: ε-sharpness (Keskar et
 * al. 2017), linear CKA (Kornblith et al. 2019), loss-landscape slices with filter-normalised
 * directions (Li et al. 2018), and the top Hessian eigenvalue by power iteration on
 * finite-difference Hessian-vector products. They take plain `tf.Variable`s and a loss closure,
 * restore the variables bit-exactly and leave no tensors behind.
 */
export { epsilonSharpness } from './sharpness';
export type { SharpnessOptions, SharpnessResult } from './sharpness';
export { filterNormalizedDirection, filterNormalize } from './directions';
export type { DirectionOptions } from './directions';
export { lossLine, lossSurface, lossInterpolation } from './landscape';
export type { LineOptions, SurfaceOptions, InterpolationOptions, LineResult, SurfaceResult, GridOptions } from './landscape';
export { topHessianEigenvalue } from './hessian';
export type { HessianOptions, HessianResult } from './hessian';
