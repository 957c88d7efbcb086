/** Copying the shipped sample notebooks into a user folder without touching files already there. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Copies every `.ipynb` of `from` into `to`; returns the copied and the already present file names. */
export async function copySamples(from: string, to: string): Promise<{ copied: string[]; kept: string[] }> {
  const names = (await fs.readdir(from)).filter((n) => n.endsWith('.ipynb')).sort();
  await fs.mkdir(to, { recursive: true });
  const copied: string[] = [];
  const kept: string[] = [];
  for (const name of names) {
    try {
      await fs.copyFile(path.join(from, name), path.join(to, name), fs.constants.COPYFILE_EXCL);
      copied.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      kept.push(name);
    }
  }
  return { copied, kept };
}
