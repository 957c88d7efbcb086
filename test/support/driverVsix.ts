/**
 * Packages a test-only driver extension (a folder with package.json and extension.js) as a .vsix with vsce,
 * with the shared notebook-driving helpers (driverKit.js) copied next to its extension.js.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export function packageDriver(folder: string, tmp: string, name: string): string {
  const src = path.join(tmp, `${name}-src`);
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(folder, src, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'test', 'support', 'driverKit.js'), path.join(src, 'driverKit.js'));
  const out = path.join(tmp, `${name}.vsix`);
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
    { cwd: src, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`packaging the driver extension ${name} failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}
