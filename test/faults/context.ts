/**
 * Shared state of one suite run: the temporary root every row works in, per-row folders, and the cleanup of
 * anything a row left behind (so one failing row does not spoil the next).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe as describeProcs, killAll, processesUnder, waitGone } from './procs';

export const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tram-faults-'));

let n = 0;
/** A fresh folder for one row (kernels started for it run with their cwd here). */
export function rowDir(name: string): string {
  const dir = path.join(TMP, `${String(++n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Processes still running in `dir` after `ms` (kernels, hosts); [] when everything ended. */
export async function leftBehind(dir: string, ms = 5000): Promise<string> {
  const left = await waitGone(() => processesUnder(dir), ms);
  if (!left.length) return '';
  const text = describeProcs(left);
  killAll(left);
  return text;
}
