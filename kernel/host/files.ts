/**
 * Where `tram run` reads and writes notebooks, checked before any cell runs.
 *
 *   readRegularFile(f)     opens f without blocking (O_NONBLOCK: a FIFO never hangs), refuses anything that is not
 *                          a regular file (FIFO, socket, device, folder), then reads it.
 *   checkOutputTarget(f)   follows symlinks to the real path; refuses an existing target that is not a regular
 *                          file, a missing or non-folder parent, and a folder where a file cannot be created
 *                          (probed by creating and removing a file there: this catches /proc, read-only mounts).
 *   writeThrough(t, text)  writes a temporary file beside the real target, gives it the target's mode, and renames
 *                          it over the real path: a symlink stays a link (its target is replaced), the mode stays,
 *                          and readers never see half a file. It never renames over what is not a regular file.
 *
 * Errors are FileProblem with one line naming the path, the problem and the fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class FileProblem extends Error {}

function what(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export function readRegularFile(file: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new FileProblem(`${file}: cannot read it (${code(e)})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FileProblem(`${file}: is ${what(st)}, not a notebook file; give the path of a regular .ipynb file`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } catch (e) {
    if (e instanceof FileProblem) throw e;
    throw new FileProblem(`${file}: cannot read it (${code(e)})`);
  } finally {
    fs.closeSync(fd);
  }
}

export interface OutputTarget {
  /** What the user named (for messages). */
  given: string;
  /** The real path written (symlinks resolved). */
  real: string;
  /** Mode of the existing file, kept on rewrite; undefined for a new file. */
  mode?: number;
}

function probeFolder(given: string, dir: string): void {
  const probe = path.join(dir, `.tram-probe-${process.pid}-${Date.now()}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.rmSync(probe, { force: true });
  } catch (e) {
    throw new FileProblem(`${given}: cannot write a file in ${dir} (${code(e)}); choose a writable folder. Nothing was run.`);
  }
}

export function checkOutputTarget(given: string): OutputTarget {
  let real: string;
  try {
    real = fs.realpathSync(given);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw new FileProblem(`${given}: cannot use it as the output (${code(e)}). Nothing was run.`);
    // A new file (or a dangling link: write where it points).
    let target = path.resolve(given);
    try {
      if (fs.lstatSync(given).isSymbolicLink()) target = path.resolve(path.dirname(target), fs.readlinkSync(given));
    } catch { /* does not exist at all */ }
    const dir = path.dirname(target);
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (e2) {
      throw new FileProblem(`${given}: the folder ${dir} does not exist (${code(e2)}); create it first or choose another path. Nothing was run.`);
    }
    if (!st.isDirectory()) throw new FileProblem(`${given}: ${dir} is ${what(st)}, not a folder. Nothing was run.`);
    probeFolder(given, dir);
    return { given, real: target };
  }
  const st = fs.statSync(real);
  if (!st.isFile()) throw new FileProblem(`${given}: is ${what(st)}; the output must be a regular .ipynb file path. Nothing was run.`);
  try {
    fs.accessSync(real, fs.constants.W_OK);
  } catch (e) {
    throw new FileProblem(`${given}: cannot write it (${code(e)}); choose another output path. Nothing was run.`);
  }
  probeFolder(given, path.dirname(real));
  return { given, real, mode: st.mode & 0o7777 };
}

export function writeThrough(t: OutputTarget, text: string): void {
  const now = (() => {
    try {
      return fs.lstatSync(t.real);
    } catch {
      return undefined;
    }
  })();
  if (now && !now.isFile()) throw new FileProblem(`${t.given}: became ${what(now)} while the notebook ran; not replaced.`);
  const tmp = path.join(path.dirname(t.real), `.${path.basename(t.real)}.tram-${process.pid}.tmp`);
  fs.rmSync(tmp, { force: true });
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx', mode: t.mode ?? 0o666 });
    if (t.mode !== undefined) fs.chmodSync(tmp, t.mode); // the umask does not apply to an explicit chmod
    fs.renameSync(tmp, t.real);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new FileProblem(`${t.given}: could not write it (${code(e)})`);
  }
}
