/** What a result was measured on: machine, runtime and package versions, the command line. */
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  /** GPU name from nvidia-smi, or null when there is none (or no driver). */
  gpu: string | null;
  /** 1-minute load average when the run started (other processes compete for the cores) */
  loadAtStart: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let gpu: string | null = null;
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' });
  if (smi.status === 0 && smi.stdout.trim()) gpu = smi.stdout.trim().split('\n').join(', ');
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    gpu,
    loadAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

const root = path.resolve(__dirname, '..', '..');

/** Installed version of a package, or null when it does not resolve. */
export function packageVersion(name: string): string | null {
  // Read the file directly: packages with an `exports` map (chart.js) do not export their package.json.
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export function versions(): Record<string, string | null> {
  const names = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu',
    'tslab', 'chart.js', '@napi-rs/canvas'];
  const out: Record<string, string | null> = { 'tram-notebooks': packageVersion('tram-notebooks') ?? readOwnVersion() };
  for (const n of names) out[n] = packageVersion(n);
  return out;
}

function readOwnVersion(): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The commit the run was made from (with `+dirty` when the tree had changes), or null outside git. */
export function gitRevision(): string | null {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return null;
  const d = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return r.stdout.trim() + (d.stdout.trim() ? '+dirty' : '');
}
