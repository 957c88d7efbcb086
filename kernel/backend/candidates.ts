/**
 * The TensorFlow.js backends we know, fastest first, and how to bring each one up.
 * Each `attempt…` resolves, loads and switches to one backend, then runs a probe op; it returns
 * why it could not instead of throwing, so the caller can fall through to the next one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkTfjsCore, resolvePackage, type Resolved } from './resolve';

export type BackendChoice = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface Candidate {
  choice: BackendChoice;
  /** npm package that provides it. */
  package: string;
  /** Name it registers under (what `tf.getBackend()` then says). */
  backendName: string;
}

/** Auto order: native GPU, native CPU, wasm (SIMD), pure JavaScript. */
export const CANDIDATES: readonly Candidate[] = [
  { choice: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', backendName: 'tensorflow' },
  { choice: 'tensorflow', package: '@tensorflow/tfjs-node', backendName: 'tensorflow' },
  { choice: 'wasm', package: '@tensorflow/tfjs-backend-wasm', backendName: 'wasm' },
  { choice: 'cpu', package: '@tensorflow/tfjs', backendName: 'cpu' },
];

export interface AttemptResult {
  ok: boolean;
  /** Why it is not used (or, when ok, a short note on what was loaded). */
  reason: string;
  /** How to make it work, when that is in the user's hands. */
  fix?: string;
  version?: string;
  /** wasm only: feature detection. */
  wasm?: { simd: boolean; threads: boolean };
  /** Native only: the loaded package's entry file (it exports the whole tf API plus `node`). */
  entry?: string;
}

const fail = (reason: string, fix?: string): AttemptResult => ({ ok: false, reason, fix });
const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0].trim();

/** Which native package this process has already loaded (a native addon cannot be unloaded). */
let loadedNative: Candidate | undefined;
let loadedEntry: string | undefined;
let loadedVersion: string | undefined;

/** Registers a candidate as already loaded (used when a native backend was loaded elsewhere). */
function nativeRegistered(): boolean {
  return tf.engine().registryFactory['tensorflow'] != null;
}

/**
 * `tf.setBackend(name)` then a probe op; a `false` result, a throw or a wrong probe becomes the
 * returned reason (undefined when all is well). tfjs reports a failed initialisation only through
 * `console.warn`, so warnings are captured meanwhile (this also drops tfjs' one-time advert for
 * the native backend on first use of cpu: the report says that better).
 */
export async function switchTo(name: string): Promise<string | undefined> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.map((a) => firstLine(a)).join(' ')); };
  // After a failed setBackend, tfjs still names the failed backend in getBackend() and would
  // pick another on the next op by itself: switch back to the previous one explicitly.
  const previous = tf.engine().backendName as string | null;
  try {
    let ok: boolean;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      return `tf.setBackend('${name}') threw: ${firstLine(e)}`;
    }
    const why = warnings.filter((w) => w && !/^Initialization of backend/.test(w)).join('; ');
    if (!ok) {
      if (previous && previous !== name && tf.engine().registry[previous] != null) await tf.setBackend(previous);
      const now = previous && previous !== name && tf.engine().registry[previous] != null ? `tfjs stays on '${previous}'` : 'no backend is active';
      return `tf.setBackend('${name}') returned false${why ? ` (${why})` : ''}; ${now}`;
    }
    if (tf.getBackend() !== name) return `tf.setBackend('${name}') returned true but tf.getBackend() is '${tf.getBackend()}'`;
    return probe();
  } finally {
    console.warn = warn;
  }
}

/** A tiny matMul + add on the current backend: catches a backend with missing or wrong kernels. */
export function probe(): string | undefined {
  try {
    const t = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1]])), 1));
    const got = Array.from(t.dataSync());
    t.dispose();
    if (got[0] !== 4 || got[1] !== 8) return `a probe matMul computed [${got}] instead of [4,8]`;
    return undefined;
  } catch (e) {
    return `a probe matMul failed: ${firstLine(e)}`;
  }
}

function installHint(c: Candidate, coreVersion: string): string {
  const extra = c.choice === 'tensorflow-gpu' ? ', and an NVIDIA driver with the CUDA/cuDNN versions libtensorflow needs' : '';
  return `npm install ${c.package}@${coreVersion} in the workspace folder (its install script downloads libtensorflow${extra})`;
}

/** Whether a tfjs-node(-gpu) package folder holds its built addon (node-pre-gyp's `lib/napi-v<N>/tfjs_binding.node`). */
export function addonBuilt(dir: string): boolean {
  const lib = path.join(dir, 'lib');
  try {
    return fs.readdirSync(lib).some((d) => /^napi-v\d+$/.test(d) && fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined` in its kernels (every matMul, topk, …); Node 23 removed that function,
 * so on Node 24 the package loads but no op runs ("isNullOrUndefined is not a function"). Before loading a native
 * package the one function is put back, with its documented meaning (x === null || x === undefined), #13.
 */
export function restoreUtilIsNullOrUndefined(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const util = require('node:util') as Record<string, unknown>;
  if (typeof util.isNullOrUndefined === 'function') return false;
  util.isNullOrUndefined = (x: unknown) => x === null || x === undefined;
  return true;
}

/** Kernels registered for 'tensorflow' by a native package whose load then failed (no backend was registered). */
function dropOrphanNativeKernels(): void {
  if (nativeRegistered()) return;
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
}

/** Native backends: resolve, check tfjs-core identity, require, switch, probe. */
export async function attemptNative(c: Candidate, bases: readonly string[], coreVersion: string): Promise<AttemptResult> {
  if (loadedNative && loadedNative.package !== c.package) {
    return fail(`${loadedNative.package} is already loaded in this process and also registers 'tensorflow'`, 'restart the kernel to switch native packages');
  }
  let version: string | undefined = loadedVersion;
  let entry: string | undefined = loadedEntry;
  let note = '';
  if (!loadedNative && nativeRegistered()) {
    // Loaded by someone else (e.g. the user required it in a cell): usable only as the package
    // that really is loaded, which we cannot tell; accept it for the plain CPU candidate.
    if (c.choice === 'tensorflow-gpu') return fail("a 'tensorflow' backend is already registered by a package loaded elsewhere");
  } else if (!loadedNative) {
    const r: Resolved | undefined = resolvePackage(c.package, bases);
    if (!r) return fail(`not installed (cannot be resolved from ${bases.join(', ')})`, installHint(c, coreVersion));
    version = r.version;
    const core = checkTfjsCore(r.dir);
    if (core.kind === 'missing') {
      return fail(`installed at ${r.dir} but its @tensorflow/tfjs-core cannot be resolved from there`, `npm install @tensorflow/tfjs@${coreVersion} next to it`);
    }
    if (core.kind === 'copy-other-version') {
      return fail(
        `installed at ${r.dir} but it loads @tensorflow/tfjs-core ${core.core.version} from ${core.core.dir}, ` +
          `while the kernel runs @tensorflow/tfjs-core ${core.ours.version} from ${core.ours.dir}: two tfjs-core versions in one process cannot share one engine`,
        `npm install ${c.package}@${core.ours.version} @tensorflow/tfjs@${core.ours.version} in the workspace folder`,
      );
    }
    if (core.kind === 'copy-same-version') {
      note = `; it loads a second copy of @tensorflow/tfjs-core ${core.core.version} from ${core.core.dir}, which shares this process's engine`;
    }
    // A package installed without its addon (npm --ignore-scripts, or an install script that could not download
    // libtensorflow) registers its ~150 kernels before it finds the addon missing and throws: the next native
    // package would then print "The kernel '…' for backend 'tensorflow' is already registered" for each. So such a
    // package is not loaded at all, and whatever a failed load left registered is removed (#13).
    if (!addonBuilt(r.dir)) {
      return fail(`installed at ${r.dir} (${r.version}) but its native addon was never built (no lib/napi-v*/tfjs_binding.node)`, `npm rebuild ${c.package} in the workspace folder (its install script fetches libtensorflow and builds the addon; without internet, scripts/setup-native.sh builds @tensorflow/tfjs-node from a tensorflow-cpu wheel)`);
    }
    restoreUtilIsNullOrUndefined();
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      require(r.entry);
    } catch (e) {
      dropOrphanNativeKernels();
      return fail(`installed at ${r.dir} (${r.version}) but failed to load: ${firstLine(e)}`, `npm rebuild ${c.package} in the workspace folder (its install script fetches libtensorflow and builds the addon)`);
    }
    if (!nativeRegistered()) {
      return fail(`loaded from ${r.dir} but registered no 'tensorflow' backend on this process's tfjs engine`, `install it so that it resolves the same @tensorflow/tfjs-core ${coreVersion}`);
    }
    loadedNative = c;
    loadedEntry = entry = r.entry;
    loadedVersion = r.version;
  }
  const why = await switchTo(c.backendName);
  if (why) return fail(why);
  return { ok: true, reason: `native libtensorflow${note}`, version, entry };
}

/** wasm: resolve and load the package, point it at its .wasm files, detect SIMD/threads, switch, probe. */
export async function attemptWasm(c: Candidate, bases: readonly string[]): Promise<AttemptResult> {
  const r = resolvePackage(c.package, bases);
  if (!r) return fail(`not installed (cannot be resolved from ${bases.join(', ')})`, `npm install ${c.package}`);
  let mod: { setWasmPaths?: (p: string) => void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    mod = require(r.entry);
  } catch (e) {
    return fail(`failed to load ${r.entry}: ${firstLine(e)}`);
  }
  if (tf.engine().registry['wasm'] == null && typeof mod.setWasmPaths === 'function') {
    // Bundlers move the JavaScript away from the .wasm binaries: name their folder explicitly.
    try { mod.setWasmPaths(path.join(r.dir, 'dist') + path.sep); } catch { /* already initialising: keep its paths */ }
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const why = await switchTo('wasm');
  if (why) {
    const hint = threads ? "wasm threads cannot start workers in Node (ERR_WORKER_PATH): tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false) before initialising" : undefined;
    return { ...fail(why, hint), wasm: { simd, threads } };
  }
  return { ok: true, reason: `SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}`, version: r.version, wasm: { simd, threads } };
}

/** Pure JavaScript: always present with @tensorflow/tfjs. */
export async function attemptCpu(): Promise<AttemptResult> {
  const why = await switchTo('cpu');
  return why ? fail(why) : { ok: true, reason: 'pure JavaScript, always available', version: tf.version.tfjs };
}
