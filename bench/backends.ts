/**
 * Backends for the suite: which ones start here (through the library's `initBackend`, forcing each in turn),
 * and switching between them within one run. TRAM_BACKEND is ignored here: `--backends` chooses.
 */
import { CANDIDATES, initBackend, type BackendChoice } from '../kernel/backend';

export interface Probe {
  /** choices that started, fastest first */
  available: BackendChoice[];
  /** why each other choice did not start */
  skipped: Record<string, string>;
  /** initBackend's one-sentence detail per available choice */
  detail: Record<string, string>;
}

export async function probeBackends(): Promise<Probe> {
  const p: Probe = { available: [], skipped: {}, detail: {} };
  for (const c of CANDIDATES) {
    // The GPU and CPU builds of the native backend register the same name: measure only the first that loads.
    if (c.choice === 'tensorflow' && p.available.includes('tensorflow-gpu')) {
      p.skipped[c.choice] = 'the GPU build of the native backend is in use (both register as "tensorflow")';
      continue;
    }
    try {
      const r = await initBackend({ prefer: c.choice, env: {} });
      p.available.push(c.choice);
      p.detail[c.choice] = r.detail;
    } catch (e) {
      p.skipped[c.choice] = (e as Error).message.split('\n')[0];
    }
  }
  return p;
}

/** Switches to `choice` (wasm with its fast matMul kernels unless `fastMatMul` is false). */
export async function useBackend(choice: string, fastMatMul = true): Promise<void> {
  await initBackend({ prefer: choice as BackendChoice, env: {}, fastMatMul });
}
