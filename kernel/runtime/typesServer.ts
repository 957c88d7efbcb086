/**
 * The types process: editor intelligence for notebook cells (cellTypes.ts) in a Node process of its own, so the
 * editor stays light and nothing waits for a kernel.
 *   node out/kernel/runtime/typesServer.js        (IPC channel; cwd = the notebook's folder, as for the kernel)
 *
 * Requests (`TypesRequest`) are answered in order with `{ id, result }` or `{ id, error }`. The globals are the
 * kernel's own declarations (globals.ts), built without selecting a backend. Sends `{ ready: true }` once warm.
 */
import * as path from 'node:path';
import { buildGlobals } from './globals';
import { CellText, CellTypeService } from './cellTypes';
import { watchParent } from './watchdog';

export type TypesMethod = 'diagnostics' | 'completions' | 'hover' | 'signatureHelp' | 'definition';

export interface TypesRequest {
  id: number;
  method: TypesMethod;
  cells: CellText[];
  index: number;
  offset?: number;
  trigger?: string;
}

export type TypesReply = { id: number; result: unknown } | { id: number; error: string } | { ready: true };

export function answer(service: CellTypeService, r: TypesRequest): unknown {
  if (!Array.isArray(r.cells) || !(r.index >= 0 && r.index < r.cells.length)) {
    throw new Error(`cell index ${r.index} is outside the ${r.cells?.length ?? 0} cells sent`);
  }
  const at = r.offset ?? 0;
  switch (r.method) {
    case 'diagnostics':
      return service.diagnostics(r.cells, r.index);
    case 'completions':
      return service.completions(r.cells, r.index, at, r.trigger);
    case 'hover':
      return service.hover(r.cells, r.index, at);
    case 'signatureHelp':
      return service.signatureHelp(r.cells, r.index, at);
    case 'definition':
      return service.definition(r.cells, r.index, at);
    default:
      throw new Error(`unknown method ${String((r as { method: unknown }).method)}`);
  }
}

/** The globals' declarations exactly as a kernel started here builds them. */
export function kernelGlobalsDeclaration(cwd = process.cwd()): string {
  const tf = require('@tensorflow/tfjs');
  const tfDir = path.dirname(require.resolve('@tensorflow/tfjs/package.json'));
  return buildGlobals(tf, tfDir, cwd).declaration;
}

function main(): void {
  if (!process.send) {
    process.stderr.write('tram types server: start it with an IPC channel (the extension does this).\n');
    process.exit(2);
  }
  const send = (m: TypesReply) => {
    if (process.connected) process.send!(m);
  };
  const service = new CellTypeService(kernelGlobalsDeclaration());
  process.on('disconnect', () => process.exit(0));
  watchParent();
  process.on('message', (r: TypesRequest) => {
    try {
      send({ id: r.id, result: answer(service, r) ?? null });
    } catch (e) {
      send({ id: r.id, error: (e as Error).message ?? String(e) });
    }
  });
  // Warm up both checkers (the first check takes seconds) before saying ready.
  try {
    service.diagnostics([{ code: 'tf.version;' }], 0);
    service.completions([{ code: 'tf.' }], 0, 3, '.');
  } catch {
    /* reported on the first real request */
  }
  send({ ready: true });
}

if (require.main === module) main();
