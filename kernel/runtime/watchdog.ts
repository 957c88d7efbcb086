/**
 * Ends the kernel when its host process goes away, even while a cell keeps the main thread busy
 * (`while (true) {}`): a worker thread, which has an event loop of its own, polls the parent pid and kills
 * the whole kernel process with SIGKILL once the parent has died (the kernel is re-parented, so `ppid` changes).
 * The IPC 'disconnect' event covers the idle case faster; this covers the busy one.
 */
import { Worker } from 'node:worker_threads';

const WATCH = `
const { workerData } = require('node:worker_threads');
const { parentPid, pid, everyMs } = workerData;
function parentGone() {
  if (process.ppid !== parentPid) return true; // re-parented: the host died
  try { process.kill(parentPid, 0); return false; } catch (e) { return e.code === 'ESRCH'; }
}
setInterval(() => { if (parentGone()) process.kill(pid, 'SIGKILL'); }, everyMs);
`;

/** Start the watchdog for the current parent (no-op when there is none to watch). Returns the worker. */
export function watchParent(everyMs = 500): Worker | undefined {
  const parentPid = process.ppid;
  if (!parentPid || parentPid === 1 || process.platform === 'win32') return undefined;
  const w = new Worker(WATCH, { eval: true, workerData: { parentPid, pid: process.pid, everyMs }, stdout: true, stderr: true });
  w.unref(); // never keeps the kernel alive by itself
  w.on('error', () => undefined);
  return w;
}
