/**
 * Process groups, so that nothing a cell starts outlives its kernel.
 *
 * KernelClient spawns every kernel detached (setsid: the kernel leads a new process group whose id is its pid)
 * and, once the kernel has exited or is being stopped, sends SIGKILL to the whole group (kill(-pgid)): child
 * processes a cell spawned go with it. A kernel started by Jupyter (which starts kernels in a new session) ends
 * the other members of its own group when it exits, but only if it leads that group — never the group of a
 * shell it was started from. Linux reads group ids from /proc; elsewhere the member scan finds nothing.
 */
import * as fs from 'node:fs';

/** SIGKILL every process in group `pgid`; false when none was left (or not POSIX). */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (!pgid || process.platform === 'win32') return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is empty
  }
}

/** The process group id of `pid` from /proc/PID/stat (field 5, after the parenthesised command name). */
export function groupOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

/** SIGKILL the other members of this process's group, when this process leads it. Synchronous (for 'exit'). */
export function killOwnGroupMembers(): number {
  if (groupOf(process.pid) !== process.pid) return 0;
  let killed = 0;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const d of entries) {
    const pid = Number(d);
    if (pid === process.pid || groupOf(pid) !== process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch { /* already gone */ }
  }
  return killed;
}
