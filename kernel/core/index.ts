/**
 * The core every sub-library builds on: one error hierarchy, one checks module, and tensor helpers with one
 * contract (they return tensors and never free their arguments). `optim`, `analysis` and `experiments`
 * import these; none keeps a copy.
 */
export * from './errors';
export * from './checks';
export * from './tensors';
export * from './cka';
