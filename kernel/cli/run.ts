/**
 * tram run NOTEBOOK.ipynb… [--out FILE | --inplace] [--timeout S] [--allow-errors] [--backend B] [--seed N]
 *
 * Runs each notebook in a fresh kernel and writes nbformat 4 outputs. Exit status: 0 when every cell ran,
 * 1 when a cell failed (unless --allow-errors) or timed out, 2 for bad usage or an unreadable notebook.
 */
import { NotebookError } from '../host/notebook';
import { runNotebook } from '../host/runner';

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
      else if (a === '--backend') backend = value();
      else if (a === '--seed') {
        const v = value();
        seed = Number(v);
        if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer (got ${v})`);
      }
      else if (a === '--timeout') {
        const v = value();
        timeoutS = Number(v);
        if (!(timeoutS > 0)) throw new Error(`--timeout must be a number of seconds > 0 (got ${v})`);
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
  let status = 0;
  for (const file of files) {
    try {
      const r = await runNotebook(file, { out: out ?? (inplace ? file : undefined), timeoutS, allowErrors, backend, kernel: { seed } });
      if (!r.ok) status = Math.max(status, 1);
    } catch (e) {
      if (e instanceof NotebookError) {
        console.error(`tram run: ${e.message}`);
        status = 2;
      } else throw e;
    }
  }
  return status;
}
