/**
 * The js-debug (`pwa-node`) attach configuration of a Debug Cell run.
 *
 * - `stepIntoLibrary: false` (the default, setting `tram.debug.stepIntoLibrary`): every file of the kernel
 *   (`out/kernel/**`: the code that runs cells and the TRAM library) is skipped, as are Node's internals, tslab and
 *   tfjs, so Step Into on a line that calls `opt.step(…)` stays in the cell.
 * - `stepIntoLibrary: true`: the library (`out/kernel/optim`, `core`, `analysis`, `charts`, `data`, `widgets`,
 *   `backend`) is stepped into and shown as its TypeScript: the compiled files carry source maps with the sources
 *   inlined (`inlineSources`; the package ships those maps), so js-debug opens `kernel/optim/optimizer.ts` etc.
 *   even where no .ts file is on disk. The code
 *   that runs cells (`out/kernel/runtime`, `out/kernel/host`), Node, tslab and tfjs stay skipped.
 *
 * Both read the cells' inline maps; `pauseForSourceMap` makes js-debug read a cell's map before the cell runs (a
 * cell is compiled and run at once; without it a breakpoint in the cell binds too late).
 */
import type { DebugConfiguration } from 'vscode';

/** Marks our attach configurations (js-debug copies unknown keys into its child sessions' configurations). */
export const DEBUG_CELL_KEY = '__tramDebugCell';

/** Kernel folders shipped without source maps: the code that runs cells, the CLI, the experiments, golden cases. */
const NO_MAPS = ['runtime', 'host', 'cli', 'experiments', 'golden'];
const ALWAYS_SKIPPED = ['<node_internals>/**', '**/node_modules/tslab/**', '**/node_modules/@tensorflow/**'];

export function attachConfiguration(opts: { id: string; url: string; description: string; stepIntoLibrary: boolean }): DebugConfiguration {
  const { id, url, description, stepIntoLibrary } = opts;
  return {
    type: 'pwa-node',
    request: 'attach',
    name: `TRAM: Debug Cell ${id}`,
    websocketAddress: url,
    continueOnAttach: true,
    pauseForSourceMap: true,
    customDescriptionGenerator: description,
    // The package ships maps for the library only (scripts/package.mjs); the other kernel folders have none.
    resolveSourceMapLocations: stepIntoLibrary
      ? ['**', '!**/node_modules/**', ...NO_MAPS.map((d) => `!**/out/kernel/${d}/**`)]
      : ['**', '!**/node_modules/**', '!**/out/kernel/**'],
    skipFiles: stepIntoLibrary
      ? [...ALWAYS_SKIPPED, '**/out/kernel/runtime/**', '**/out/kernel/host/**', '**/kernel/runtime/**', '**/kernel/host/**']
      : [...ALWAYS_SKIPPED, '**/out/kernel/**'],
    [DEBUG_CELL_KEY]: id,
  };
}
