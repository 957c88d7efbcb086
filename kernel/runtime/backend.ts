/**
 * Picks the tfjs backend for the kernel. Uses `kernel/backend` (`initBackend`) when it is present, and otherwise
 * the wasm backend with a cpu fallback.
 */
import * as path from 'node:path';

export interface BackendChoice {
  name: string;
  gpu: boolean;
  detail: string;
  /** Absolute path of the module giving the full tf API for this backend (tfjs-node's entry, or tfjs). */
  tfModule?: string;
}

type Tf = typeof import('@tensorflow/tfjs');

function tryRequire(id: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    return require(id);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(id)) return undefined;
    throw e;
  }
}

export async function selectBackend(tf: Tf, prefer?: string, cwd?: string): Promise<BackendChoice> {
  const mod = tryRequire(path.join(__dirname, '..', 'backend'));
  if (mod && typeof mod.initBackend === 'function') {
    const r = await mod.initBackend({ prefer, searchPaths: cwd ? [cwd] : [] });
    return { name: String(r.name), gpu: Boolean(r.gpu), detail: String(r.detail ?? r.name), tfModule: r.tfModule };
  }
  const wanted = prefer ?? 'wasm';
  const tried: string[] = [];
  for (const name of [wanted, ...['wasm', 'cpu'].filter((n) => n !== wanted)]) {
    try {
      if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend(name)) {
        await tf.ready();
        const why = tried.length ? ` (${tried.join('; ')})` : '';
        return { name, gpu: false, detail: `${name}${why}` };
      }
      tried.push(`${name}: not available`);
    } catch (e) {
      tried.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no tfjs backend could start: ${tried.join('; ')}`);
}
