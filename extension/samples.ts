/**
 * Copying the shipped sample notebooks into a user folder without touching files already there: every
 * `.ipynb`, and the `results/` folder next to them (the committed experiment results a sample reads).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Folders copied along with the notebooks. */
export const SAMPLE_DATA_FOLDERS = ['results'];

async function copyIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

async function copyTreeIfAbsent(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const e of await fs.readdir(from, { withFileTypes: true })) {
    if (e.isDirectory()) await copyTreeIfAbsent(path.join(from, e.name), path.join(to, e.name));
    else if (e.isFile()) await copyIfAbsent(path.join(from, e.name), path.join(to, e.name));
  }
}

/** Copies the samples of `from` into `to`; returns the notebooks copied now and those already present. */
export async function copySamples(from: string, to: string): Promise<{ copied: string[]; kept: string[] }> {
  const entries = await fs.readdir(from, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && e.name.endsWith('.ipynb')).map((e) => e.name).sort();
  await fs.mkdir(to, { recursive: true });
  const copied: string[] = [];
  const kept: string[] = [];
  for (const name of names) {
    if (await copyIfAbsent(path.join(from, name), path.join(to, name))) copied.push(name);
    else kept.push(name);
  }
  for (const e of entries) {
    if (e.isDirectory() && SAMPLE_DATA_FOLDERS.includes(e.name)) await copyTreeIfAbsent(path.join(from, e.name), path.join(to, e.name));
  }
  return { copied, kept };
}
