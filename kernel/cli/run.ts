/**
 * tram run NOTEBOOK.ipynb… [--out FILE | --inplace] [--timeout S] [--allow-errors] [--backend B] [--seed N]
 *
 * Runs each notebook in a fresh kernel and writes nbformat 4 outputs. Exit status: 0 when every cell ran,
 * 1 when a cell failed (unless --allow-errors) or timed out, 2 for bad usage, an unreadable or invalid notebook,
 * an output path that cannot be written (checked before any cell runs) or a kernel that could not start.
 * Every failure is one line on stderr, never a stack trace.
 */
import { NotebookError } from '../host/notebook';
import { killAllKernels } from '../host/client';
import { runNotebook } from '../host/runner';

/** The values `--backend` takes (kernel/backend/init.ts PREFERENCES; a test keeps the two equal). */
export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** Node's timers hold at most 2^31 − 1 ms; longer limits would fire at once. */
export const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

const USAGE = 'usage: tram run NOTEBOOK.ipynb… [--out FILE | --inplace] [--timeout S] [--allow-errors] [--backend B] [--seed N]';

export async function run(args: string[]): Promise<number> {
  const files: string[] = [];
  let out: string | undefined;
  let inplace = false;
  let timeoutS: number | undefined;
  let allowErrors = false;
  let backend: string | undefined;
  let seed: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--out' || a === '-o') out = value();
      else if (a === '--inplace') inplace = true;
      else if (a === '--allow-errors') allowErrors = true;
      else if (a === '--backend') {
        backend = value();
        if (!(BACKENDS as readonly string[]).includes(backend)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')} (got '${backend}')`);
      } else if (a === '--seed') {
        const v = value();
        seed = Number(v);
        if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer (got ${v})`);
      } else if (a === '--timeout') {
        const v = value();
        timeoutS = Number(v);
        if (!(timeoutS > 0) || v.trim() === '') throw new Error(`--timeout must be a number of seconds > 0 (got '${v}')`);
        if (timeoutS > MAX_TIMEOUT_S) throw new Error(`--timeout must be at most ${MAX_TIMEOUT_S} s (24.8 days; got '${v}'); leave it out for no limit`);
      } else if (a === '-h' || a === '--help') {
        console.log(USAGE);
        return 0;
      } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
      else files.push(a);
    } catch (e) {
      console.error(`tram run: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
  }
  if (!files.length) {
    console.error(`tram run: give at least one notebook\n${USAGE}`);
    return 2;
  }
  if (out && inplace) {
    console.error(`tram run: use either --out FILE or --inplace, not both\n${USAGE}`);
    return 2;
  }
  if (out && files.length > 1) {
    console.error(`tram run: --out takes one notebook (got ${files.length}); use --inplace to run several`);
    return 2;
  }
  if (!out && !inplace) console.log('tram run: outputs are not saved (add --out FILE or --inplace)');
  // The seed is --seed only: a TRAM_SEED in the environment is not passed on to the kernels (kernel/host/env.ts).
  const envSeed = process.env.TRAM_SEED?.trim();
  if (envSeed && seed === undefined) {
    console.error(`tram run: TRAM_SEED=${envSeed} in the environment is ignored; the kernels are unseeded (pass --seed ${envSeed} to seed them)`);
  }
  // Kernels lead their own process groups, so a Ctrl-C in the terminal reaches only us: end them and their children.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllKernels();
      console.error(`tram run: stopped by ${sig}`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  let status = 0;
  for (const file of files) {
    try {
      const r = await runNotebook(file, { out: out ?? (inplace ? file : undefined), timeoutS, allowErrors, backend, kernel: { seed } });
      if (!r.ok) status = Math.max(status, 1);
    } catch (e) {
      if (e instanceof NotebookError) {
        console.error(`tram run: ${oneLine(e.message)}`);
      } else {
        // The kernel could not start (a forced backend that is missing, a broken install): say why, in one line.
        console.error(`tram run: ${file}: ${oneLine((e as Error)?.message ?? String(e))}`);
      }
      status = 2;
    }
  }
  return status;
}

function oneLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^at /.test(l));
  const flat = lines.join(' | ');
  return flat.length > 600 ? flat.slice(0, 597) + '...' : flat;
}
