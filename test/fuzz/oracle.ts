/**
 * The independent judge of notebook validity for the fuzz suite: Jupyter's own validator (python nbformat,
 * Debian's python3-nbformat), run once over a batch of files. A file is valid when it parses as JSON, has
 * nbformat 4 (tram run's documented scope) and nbformat.validate accepts it. Returns file → null (valid) or
 * the validator's first line.
 */
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import json, sys, warnings
warnings.simplefilter('ignore')
import nbformat
out = {}
for f in json.load(sys.stdin):
    try:
        with open(f, 'rb') as fh:
            nb = json.loads(fh.read().decode('utf-8'))
        if not isinstance(nb, dict) or nb.get('nbformat') != 4:
            raise ValueError('not nbformat 4')
        nbformat.validate(nbformat.from_dict(nb))
        out[f] = None
    except Exception as e:
        out[f] = (type(e).__name__ + ': ' + str(e)).split('\\n')[0][:200]
print(json.dumps(out))
`;

export function pythonAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import nbformat'], { encoding: 'utf8' }).status === 0;
}

export function judge(files: string[]): Map<string, string | null> {
  if (!files.length) return new Map();
  const r = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python nbformat oracle failed: ${r.stderr}`);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, string | null>));
}
