/**
 * Processes and sockets left behind. A fault row owns a temporary folder; every kernel it starts runs with
 * its working directory there (the notebook's folder), so "left behind" = a live process whose cwd is inside
 * that folder, or any process still in a process group the row started. Sockets come from `ss`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface Proc {
  pid: number;
  ppid: number;
  cmd: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ... ; comm may hold spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined; // a zombie has exited
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(rest[1]), cmd };
  } catch {
    return undefined;
  }
}

export function allPids(): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

export function alive(pid: number): boolean {
  return readProc(pid) !== undefined;
}

/** Live processes (other than this one) whose working directory is `root` or inside it. */
export function processesUnder(root: string): Proc[] {
  const out: Proc[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue;
    }
    if (cwd === root || cwd.startsWith(root + '/')) {
      const p = readProc(pid);
      if (p) out.push(p);
    }
  }
  return out;
}

/** Live processes in process group `pgid`. */
export function processesInGroup(pgid: number): Proc[] {
  const out: Proc[] = [];
  for (const pid of allPids()) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid && rest[0] !== 'Z') {
        const p = readProc(pid);
        if (p) out.push(p);
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Descendants of `pid` (children, their children, ...). */
export function descendants(pid: number): Proc[] {
  const procs = allPids().map(readProc).filter((p): p is Proc => !!p);
  const out: Proc[] = [];
  const want = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (want.has(p.ppid) && !want.has(p.pid)) {
        want.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits up to `ms` for `f()` to return an empty list; returns what is left. */
export async function waitGone<T>(f: () => T[], ms = 5000): Promise<T[]> {
  const until = Date.now() + ms;
  let left = f();
  while (left.length && Date.now() < until) {
    await sleep(100);
    left = f();
  }
  return left;
}

export interface Listener {
  proto: 'tcp' | 'udp';
  local: string;
  pids: number[];
}

/** Listening TCP sockets and bound UDP sockets with their owning pids (`ss -ltunpH`). */
export function listeners(): Listener[] {
  const r = spawnSync('ss', ['-ltunpH'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`ss -ltunpH failed: ${r.error?.message ?? r.stderr}`);
  const out: Listener[] = [];
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    out.push({ proto: f[0].startsWith('udp') ? 'udp' : 'tcp', local: f[4], pids });
  }
  return out;
}

/** Sockets listened on (or bound, for UDP) by any of `pids`. */
export function listenersOf(pids: number[]): Listener[] {
  const set = new Set(pids);
  return listeners().filter((l) => l.pids.some((p) => set.has(p)));
}

/** Kills what a row left behind so the next row starts clean (the row has already failed). */
export function killAll(procs: Proc[]): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export function describe(procs: Proc[]): string {
  return procs.map((p) => `${p.pid} ${p.cmd.slice(0, 80)}`).join('; ');
}
