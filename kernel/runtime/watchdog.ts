/**
 * Ends the kernel, and every process a cell spawned, when its host process goes away, even while a cell keeps the
 * main thread busy (`while (true) {}`): a worker thread, which has an event loop of its own, polls the parent pid
 * and, once the parent has died (the kernel is re-parented, so `ppid` changes), sends SIGKILL to the kernel's whole
 * process group when the kernel leads one (KernelClient spawns it detached: pgid = kernel pid), else to the kernel
 * alone (a kernel sharing a group it does not lead must never kill that group, e.g. the shell it was started from).
 * The IPC 'disconnect' event covers the idle case faster (the kernel calls process.exit); for that path an 'exit'
 * handler kills the other members of the group the kernel leads, synchronously, before the process ends.
 */
import { Worker } from 'node:worker_threads';
import { groupOf, killOwnGroupMembers } from '../host/pgroup';

const WATCH = `
const { workerData } = require('node:worker_threads');
const { parentPid, target, everyMs } = workerData;
function parentGone() {
  if (process.ppid !== parentPid) return true; // re-parented: the host died
  try { process.kill(parentPid, 0); return false; } catch (e) { return e.code === 'ESRCH'; }
}
setInterval(() => { if (parentGone()) process.kill(target, 'SIGKILL'); }, everyMs);
`;

/** Start the watchdog for the current parent (no-op when there is none to watch). Returns the worker. */
export function watchParent(everyMs = 500): Worker | undefined {
  const parentPid = process.ppid;
  if (!parentPid || parentPid === 1 || process.platform === 'win32') return undefined;
  const leadsGroup = groupOf(process.pid) === process.pid;
  // kill(-pgid) reaches the kernel and everything in its group; kill(pid) only the kernel.
  const target = leadsGroup ? -process.pid : process.pid;
  if (leadsGroup) process.once('exit', () => void killOwnGroupMembers());
  const w = new Worker(WATCH, { eval: true, workerData: { parentPid, target, everyMs }, stdout: true, stderr: true });
  w.unref(); // never keeps the kernel alive by itself
  w.on('error', () => undefined);
  return w;
}
