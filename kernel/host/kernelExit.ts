/**
 * How a kernel process ends, as hosts report it: the reason in words (exit code or signal, out of memory, the end
 * of the kernel's stderr), and the kernel process groups this host started, killed when it exits.
 */
import { killGroup } from './pgroup';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  reason: string;
}

/** Kernel process groups still alive, killed when this host process exits (normally or by SIGINT/SIGTERM). */
export const liveGroups = new Set<number>();
let exitHookInstalled = false;
/** SIGKILL every kernel group this process started and has not yet finished (synchronous). */
export function killAllKernels(): void {
  for (const g of liveGroups) killGroup(g);
  liveGroups.clear();
}
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllKernels);
}

export const STDERR_TAIL = 4000;

export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  let reason = signal ? `the kernel process was killed by ${signal}` : `the kernel process exited with code ${code}`;
  if (signal === 'SIGKILL') reason += ' (killed from outside, or by the system when out of memory)';
  if (/heap out of memory|Allocation failed/i.test(stderrTail)) reason = `the kernel ran out of memory (${reason})`;
  const tail = stderrTail.trim().split('\n').slice(-6).join('\n');
  return tail ? `${reason}\n${tail}` : reason;
}
