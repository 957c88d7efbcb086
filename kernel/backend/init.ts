/**
 * `initBackend`: pick the TensorFlow.js backend the kernel runs on and say why.
 *
 * auto: `@tensorflow/tfjs-node-gpu` → `@tensorflow/tfjs-node` → wasm (SIMD) → cpu (pure JS), the
 * first that resolves, loads, switches (`tf.setBackend` really returned true and
 * `tf.getBackend()` agrees) and computes a probe op correctly. A forced backend that fails throws
 * a `BackendUnavailableError` naming the reason and the fix. `TRAM_BACKEND` overrides `prefer`.
 * On wasm the fast matMul kernels (./fast-matmul) are switched on; elsewhere they are off. On wasm
 * the training kernels it lacks (./kernels: conv filter gradients, segment sum, einsum) are added.
 */
import * as tf from '@tensorflow/tfjs';
import { attemptCpu, attemptNative, attemptWasm, CANDIDATES, type AttemptResult, type BackendChoice, type Candidate } from './candidates';
import { setFastMatMulGradient } from './fast-matmul';
import { registerNoopKernels, registerWasmTrainingKernels } from './kernels';
import { ourTfjsCore, resolutionBases } from './resolve';

export type BackendPreference = 'auto' | BackendChoice;
export const PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface InitBackendOptions {
  /** Which backend to use; default 'auto'. The environment variable TRAM_BACKEND overrides it. */
  prefer?: BackendPreference;
  /** Extra folders to resolve the native packages from (e.g. the workspace folder), after the project. */
  searchPaths?: string[];
  /** Use the fast matMul kernels when the result is wasm (default true). */
  fastMatMul?: boolean;
  /** Environment to read TRAM_BACKEND from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export interface BackendAttempt {
  candidate: BackendChoice;
  package: string;
  ok: boolean;
  reason: string;
  fix?: string;
}

export interface BackendReport {
  /** `tf.getBackend()` after initialisation: the backend actually in use. */
  name: string;
  /** The npm package that provides it, e.g. '@tensorflow/tfjs-node-gpu'. */
  package: string;
  /**
   * Absolute path of the module to `require` for the full tf API on this engine: the native
   * package's entry (it re-exports tfjs and adds `tf.node`), else this project's @tensorflow/tfjs.
   * (`package` names the backend's provider, which for wasm is not a tf namespace.)
   */
  tfModule: string;
  /** True when the GPU build of the native backend is in use. */
  gpu: boolean;
  /** One sentence: which backend runs and why the ones before it do not. */
  detail: string;
  /** Every candidate tried, in order. */
  tried: BackendAttempt[];
  /** What asked for this backend. */
  requested: { prefer: BackendPreference; source: 'default' | 'option' | 'TRAM_BACKEND' };
  /** Whether the fast wasm matMul kernels are on. */
  fastMatMul: boolean;
  /** Training kernels wasm lacks that were registered for it (./kernels), when the backend is wasm. */
  addedKernels: string[];
  /** wasm feature detection, when wasm was tried. */
  wasm?: { simd: boolean; threads: boolean };
  versions: { tfjs: string; tfjsCore: string; node: string; backendPackage?: string };
}

/** A forced backend could not be used. `report.tried` holds the attempt. */
export class BackendUnavailableError extends Error {
  constructor(message: string, readonly tried: BackendAttempt[], readonly fix?: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

/** Validates a preference string (from an option or TRAM_BACKEND). */
export function parsePreference(value: string, source: string): BackendPreference {
  const v = value.trim() as BackendPreference;
  if (!PREFERENCES.includes(v)) {
    throw new Error(`Unknown backend '${value}' (from ${source}): use one of ${PREFERENCES.join(', ')}.`);
  }
  return v;
}

async function attempt(c: Candidate, bases: readonly string[], coreVersion: string): Promise<AttemptResult> {
  switch (c.choice) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return attemptNative(c, bases, coreVersion);
    case 'wasm':
      return attemptWasm(c, bases);
    case 'cpu':
      return attemptCpu();
  }
}

function describe(c: Candidate, a: AttemptResult, fast: boolean): string {
  const extra = c.choice === 'wasm' ? `; fast matMul kernels ${fast ? 'on' : 'off'}` : '';
  return `Using '${tf.getBackend()}' from ${c.package}${a.version ? ` ${a.version}` : ''} (${a.reason}${extra}).`;
}

export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const env = opts.env ?? process.env;
  let prefer: BackendPreference = 'auto';
  let source: BackendReport['requested']['source'] = 'default';
  if (opts.prefer !== undefined) {
    prefer = parsePreference(opts.prefer, 'option prefer');
    source = 'option';
  }
  const fromEnv = env.TRAM_BACKEND;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    prefer = parsePreference(fromEnv, 'TRAM_BACKEND');
    source = 'TRAM_BACKEND';
  }

  const bases = resolutionBases(opts.searchPaths ?? []);
  const core = ourTfjsCore();
  const order = prefer === 'auto' ? CANDIDATES : CANDIDATES.filter((c) => c.choice === prefer);
  const tried: BackendAttempt[] = [];
  let wasm: BackendReport['wasm'];

  for (const c of order) {
    const a = await attempt(c, bases, core.version);
    if (a.wasm) wasm = a.wasm;
    tried.push({ candidate: c.choice, package: c.package, ok: a.ok, reason: a.reason, ...(a.fix ? { fix: a.fix } : {}) });
    if (!a.ok) continue;

    const fastMatMul = setFastMatMulGradient(c.choice === 'wasm' && opts.fastMatMul !== false);
    const addedKernels = c.choice === 'wasm' ? registerWasmTrainingKernels() : [];
    registerNoopKernels(tf.getBackend());
    const notUsed = tried.filter((t) => !t.ok).map((t) => `${t.package}: ${t.reason}`);
    const forced = source === 'default' ? '' : ` Requested '${prefer}' by ${source === 'option' ? 'option' : 'TRAM_BACKEND'}.`;
    const detail = describe(c, a, fastMatMul) + forced + (notUsed.length ? ` Not used: ${notUsed.join('; ')}.` : '');
    return {
      name: tf.getBackend(),
      package: c.package,
      tfModule: a.entry ?? require.resolve('@tensorflow/tfjs'),
      gpu: c.choice === 'tensorflow-gpu',
      detail,
      tried,
      requested: { prefer, source },
      fastMatMul,
      addedKernels,
      ...(wasm ? { wasm } : {}),
      versions: { tfjs: tf.version.tfjs, tfjsCore: core.version, node: process.versions.node, backendPackage: a.version },
    };
  }

  const last = tried[tried.length - 1];
  const fix = last?.fix;
  throw new BackendUnavailableError(
    `Backend '${prefer}' (${last?.package}) is not available: ${last?.reason}.${fix ? ` Fix: ${fix}.` : ''}` +
      ` Or unset TRAM_BACKEND / use prefer 'auto' to fall back to the next available backend.`,
    tried,
    fix,
  );
}
