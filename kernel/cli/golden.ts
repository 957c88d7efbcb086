/**
 * `tram golden <dir>`: runs every `step_*.json` and `divergences.json` in a folder against the optimizer library
 * (float32, wasm backend, cpu when wasm cannot start) and prints one line per case with its max error against the
 * tolerance. Exit status 1 if any case fails, 2 on a usage error.
 */
import * as fs from 'node:fs';
import { formatResult, initGoldenBackend, runGoldenDir } from '../golden/run';

export async function run(args: string[]): Promise<number> {
  const dir = args.find((a) => !a.startsWith('-'));
  if (!dir || args.includes('-h') || args.includes('--help')) {
    console.error('usage: tram golden <dir>    (a folder of step_*.json / divergences.json golden cases)');
    return 2;
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(`tram golden: ${dir} is not a folder; pass the folder holding step_*.json and divergences.json`);
    return 2;
  }
  const backend = await initGoldenBackend();
  console.log(`backend: ${backend} (float32)`);
  const results = runGoldenDir(dir);
  for (const r of results) console.log(formatResult(r));
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed}/${results.length} passed${failed ? `, ${failed} FAILED` : ''}`);
  return failed ? 1 : 0;
}
