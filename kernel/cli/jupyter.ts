/**
 * tram jupyter install [--user | --prefix DIR] [--name NAME]
 *
 * Writes the kernelspec "TRAM TypeScript" (kernel.json) so JupyterLab, nbconvert and VS Code's Jupyter extension
 * can start the kernel. No Python is needed to install it.
 *   --user        the per-user Jupyter data folder (default when not root)
 *   --prefix DIR  DIR/share/jupyter/kernels/NAME (virtualenvs, conda, tests)
 *   (neither, as root) /usr/local/share/jupyter/kernels/NAME
 * The kernelspec runs this Node (its absolute path) and this install of tram: run the command again after
 * moving the project or switching Node versions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const USAGE = 'usage: tram jupyter install [--user | --prefix DIR] [--name NAME]';

function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? os.homedir(), 'jupyter');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

export function kernelSpec(): Record<string, unknown> {
  const tramBin = path.resolve(__dirname, '..', '..', '..', 'bin', 'tram.js');
  return {
    argv: [process.execPath, tramBin, 'kernel', '--jupyter', '{connection_file}'],
    display_name: 'TRAM TypeScript',
    language: 'typescript',
    interrupt_mode: 'signal',
    env: { TF_CPP_MIN_LOG_LEVEL: '2' },
    metadata: { debugger: false },
  };
}

export function installKernelSpec(kernelsDir: string, name = 'tram'): string {
  const dir = path.join(kernelsDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'kernel.json');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(kernelSpec(), null, 2) + '\n');
  fs.renameSync(tmp, file);
  return dir;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'install') {
    console.error(sub ? `tram jupyter: unknown sub-command '${sub}'\n${USAGE}` : USAGE);
    return 2;
  }
  let user = false;
  let prefix: string | undefined;
  let name = 'tram';
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--user') user = true;
    else if (a === '--prefix' || a === '--name') {
      const v = rest[++i];
      if (!v) {
        console.error(`tram jupyter install: ${a} needs a value\n${USAGE}`);
        return 2;
      }
      if (a === '--prefix') prefix = v;
      else name = v;
    } else {
      console.error(`tram jupyter install: unknown option ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (user && prefix) {
    console.error(`tram jupyter install: use --user or --prefix, not both\n${USAGE}`);
    return 2;
  }
  if (!/^[a-z0-9._-]+$/i.test(name)) {
    console.error(`tram jupyter install: --name may use letters, digits, '.', '_' and '-' (got '${name}')`);
    return 2;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const kernels = prefix
    ? path.join(path.resolve(prefix), 'share', 'jupyter', 'kernels')
    : user || !isRoot
      ? path.join(userDataDir(), 'kernels')
      : '/usr/local/share/jupyter/kernels';
  const dir = installKernelSpec(kernels, name);
  console.log(`installed kernelspec '${name}' (TRAM TypeScript) in ${dir}`);
  return 0;
}
