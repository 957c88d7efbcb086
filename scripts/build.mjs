#!/usr/bin/env node
// Bundles that tsc does not make: each part adds its step here (the extension's chart renderer, ...).

// --- chart renderer (extension/renderer): type-check (DOM lib, its own tsconfig), then a browser ESM bundle
// with chart.js and the shared chart plugins inside.
{
  const { build } = await import('esbuild');
  const { fileURLToPath } = await import('node:url');
  const { spawnSync } = await import('node:child_process');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'extension/renderer'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('chart renderer: type errors (tsc --noEmit -p extension/renderer)');
  await build({
    absWorkingDir: root,
    entryPoints: ['extension/renderer/index.ts'],
    outfile: 'out/renderer/chartRenderer.js',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
}
