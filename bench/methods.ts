/**
 * The methods the suite compares, as optimizer-library configurations (the format of the golden cases), with
 * the paper's hyperparameters (Appendix B): SAM ρ = 0.05, ASAM ρ = 0.5, Fisher-SAM γ = η = 0.1, R3F λ = 0.1,
 * σ = 0.1; the base optimizer is Adam (β = 0.9, 0.99), the inner optimizer of every method.
 */
export interface Method {
  /** short id used in tables and JSON */
  id: string;
  label: string;
  /** the library's method config; null for plain `tf.train.adam` without the library (a reference row) */
  config: Record<string, unknown> | null;
  /** createOptimizer options */
  options?: Record<string, unknown>;
  /** the base optimizer is FlatAdam (kernel/optim/flat.ts, #13) instead of tf.train.adam, same hyperparameters */
  flat?: boolean;
}

export const baseOptimizer = { name: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8 };

const noise = { kind: 'gaussian', sigma: 0.1 };

export const methods: Method[] = [
  { id: 'base', label: 'Adam (base)', config: { name: 'adam' } },
  { id: 'sam', label: 'SAM', config: { name: 'sam', rho: 0.05 } },
  { id: 'asam', label: 'ASAM', config: { name: 'asam', rho: 0.5, eta: 0.01, scope: 'weights' } },
  { id: 'fisher-sam', label: 'Fisher-SAM', config: { name: 'fisher-sam', gamma: 0.1, eta: 0.1 } },
  { id: 'r3f', label: 'R3F', config: { name: 'r3f', lambda: 0.1, noise } },
  { id: 'tram-x', label: 'TRAM-x', config: { name: 'tram', target: 'x', noise } },
  { id: 'tram-theta0', label: 'TRAM-θ0', config: { name: 'tram', target: 'theta0' } },
  { id: 'tram-theta-prev', label: 'TRAM-θt−1', config: { name: 'tram', target: 'theta-prev' } },
  { id: 'tram-ema', label: 'TRAM-EMA', config: { name: 'tram', target: 'ema', decay: 0.999 } },
  { id: 'tram-fisher', label: 'TRAM-Fisher', config: { name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise } },
];

/**
 * Reference rows beside the methods: plain `tf.train.adam().minimize` (what the library's base step costs over
 * bare tfjs), the base step and TRAM-x on FlatAdam (one flat buffer for Adam's slots, #13), and TRAM-Fisher without
 * the extra forward pass that reports the clean loss.
 */
export const referenceMethods: Method[] = [
  { id: 'tfjs-adam', label: 'tf.train.adam', config: null },
  { id: 'base-flat', label: 'Adam (base), FlatAdam', config: { name: 'adam' }, flat: true },
  { id: 'tram-x-flat', label: 'TRAM-x, FlatAdam base', config: { name: 'tram', target: 'x', noise }, flat: true },
  {
    id: 'tram-fisher-noreport', label: 'TRAM-Fisher (reportCleanLoss off)',
    config: { name: 'tram-fisher', gamma: 0.1, eta: 0.1, noise }, options: { reportCleanLoss: false },
  },
];

export const tramIds = methods.filter((m) => m.id.startsWith('tram-') && m.id !== 'tram-fisher').map((m) => m.id);

export function methodById(id: string): Method {
  const m = [...methods, ...referenceMethods].find((x) => x.id === id);
  if (!m) throw new Error(`unknown method '${id}'; expected one of ${methods.map((x) => x.id).join(', ')}`);
  return m;
}
