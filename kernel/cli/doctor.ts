/**
 * `tram doctor [--backend B] [--search-path DIR]… [--json] [--speed]`
 *
 * Initialises the backend as the kernel would and prints which one runs, every candidate tried
 * with its reason (and fix), the tfjs and Node versions, and wasm SIMD/threads support.
 * `--speed` also times an MLP training step on wasm with the fast matMul kernels on and off.
 * Exit status 0, or 1 when a forced backend (--backend or TRAM_BACKEND) is unavailable; 2 on
 * bad usage.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, initBackend, noopKernels, parsePreference, replacedWasmKernels, type BackendAttempt, type BackendPreference, type BackendReport } from '../backend';
import { measureFastMatMul, type SpeedResult } from '../backend/speed';

const USAGE = 'usage: tram doctor [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--search-path DIR]... [--json] [--speed]';

interface Args {
  prefer?: BackendPreference;
  searchPaths: string[];
  json: boolean;
  speed: boolean;
}

function parseArgs(args: string[]): Args {
  const out: Args = { searchPaths: [], json: false, speed: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value.\n${USAGE}`);
      return v;
    };
    if (a === '--json') out.json = true;
    else if (a === '--speed') out.speed = true;
    else if (a === '--backend') out.prefer = parsePreference(value(), '--backend');
    else if (a.startsWith('--backend=')) out.prefer = parsePreference(a.slice('--backend='.length), '--backend');
    else if (a === '--search-path') out.searchPaths.push(value());
    else if (a === '-h' || a === '--help') throw Object.assign(new Error(USAGE), { help: true });
    else throw new Error(`unknown option '${a}'.\n${USAGE}`);
  }
  return out;
}

/** wasm SIMD/threads as tfjs detects them (needs the wasm package's flags registered). */
async function wasmFeatures(report?: BackendReport): Promise<{ simd: boolean; threads: boolean } | undefined> {
  if (report?.wasm) return report.wasm;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-backend-wasm');
    return {
      simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    };
  } catch {
    return undefined;
  }
}

function formatTried(tried: BackendAttempt[]): string[] {
  const width = Math.max(...tried.map((t) => t.candidate.length));
  const lines: string[] = [];
  for (const t of tried) {
    lines.push(`  ${t.ok ? 'ok  ' : 'no  '}${t.candidate.padEnd(width)}  ${t.package}: ${t.reason}`);
    if (t.fix) lines.push(`      ${''.padEnd(width)}  fix: ${t.fix}`);
  }
  return lines;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export async function run(args: string[]): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(args);
  } catch (e) {
    const help = (e as { help?: boolean }).help;
    (help ? console.log : console.error)((e as Error).message);
    return help ? 0 : 2;
  }

  let report: BackendReport | undefined;
  let failure: BackendUnavailableError | undefined;
  try {
    report = await initBackend({ prefer: a.prefer, searchPaths: a.searchPaths });
  } catch (e) {
    if (!(e instanceof BackendUnavailableError)) {
      console.error(`tram doctor: ${(e as Error).message}`);
      return 2;
    }
    failure = e;
  }
  const wasm = await wasmFeatures(report);
  let speed: SpeedResult[] | undefined;
  if (a.speed && report && report.name === 'wasm') {
    speed = (['tanh', 'relu'] as const).map((activation) => measureFastMatMul({ activation }));
  }

  if (a.json) {
    const out = failure
      ? { ok: false, error: failure.message, tried: failure.tried, fix: failure.fix, node: process.versions.node, tfjs: tf.version.tfjs, wasm }
      : { ok: true, ...report, wasm, ...(a.speed ? { speed: speed ?? null } : {}) };
    console.log(JSON.stringify(out, null, 2));
    return failure ? 1 : 0;
  }

  const lines: string[] = [];
  if (failure) {
    lines.push(`backend     UNAVAILABLE: ${failure.message}`);
    lines.push('tried', ...formatTried(failure.tried));
  } else if (report) {
    const fast = report.name === 'wasm' ? `, fast matMul kernels ${report.fastMatMul ? 'on' : 'off'}` : '';
    lines.push(`backend     ${report.name} (${report.package}${report.versions.backendPackage ? ` ${report.versions.backendPackage}` : ''})${report.gpu ? ', GPU build' : ''}${fast}`);
    lines.push(`requested   ${report.requested.prefer} (${report.requested.source})`);
    lines.push('tried', ...formatTried(report.tried));
    lines.push(`detail      ${report.detail}`);
  }
  lines.push(`tfjs        ${tf.version.tfjs} (tfjs-core ${tf.version['tfjs-core']})`);
  lines.push(`node        ${process.versions.node} (${process.platform}-${process.arch}) at ${process.execPath}`);
  if (report?.name === 'wasm') {
    lines.push(`kernels     added for wasm (tfjs-backend-wasm lacks them): ${report.addedKernels.length ? report.addedKernels.join(', ') : 'none'}`);
    const fixed = replacedWasmKernels();
    if (fixed.length) lines.push(`kernels     replaced on wasm (wrong in tfjs-backend-wasm 4.22): ${fixed.join(', ')}`);
  }
  const noops = report ? noopKernels(report.name) : [];
  if (noops.length) lines.push(`kernels     ${noops.join(', ')} answered by sharing data where they are no-ops (same dtype/shape)`);
  lines.push(wasm ? `wasm        SIMD ${yesNo(wasm.simd)}, threads ${yesNo(wasm.threads)}` : 'wasm        package not loadable');
  if (a.speed) {
    if (!speed) lines.push(`speed       skipped: the fast matMul kernels apply to wasm only (backend is ${report?.name ?? 'none'})`);
    for (const sp of speed ?? []) {
      lines.push(
        `speed       MLP 784-256-256-10 ${sp.activation} b64 SGD step on ${sp.backend}: built-in matMul ${sp.defaultMs.toFixed(1)} ms, ` +
          `fast matMul ${sp.fastMs.toFixed(1)} ms, ${sp.speedup.toFixed(2)}x (medians of ${sp.steps} steps each)`,
      );
    }
  }
  console.log(lines.join('\n'));
  return failure ? 1 : 0;
}
