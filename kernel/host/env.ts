/**
 * The environment a kernel process gets: an allow-list of the host's variables, never the whole environment
 * (tokens and credentials in the editor's environment must not leak into notebook code).
 */

/** Variables copied from the host when set. `TRAM_*` variables are copied too, except those in ENV_NOT_INHERITED. */
export const ENV_ALLOW_LIST = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_NUMERIC', 'TZ',
  'TMPDIR', 'TMP', 'TEMP', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS',
  // native tfjs backends
  'LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES', 'TF_CPP_MIN_LOG_LEVEL', 'TF_FORCE_GPU_ALLOW_GROWTH',
  // Windows essentials
  'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA',
];

/**
 * Never copied from the host, only passed explicitly (`extra`): `TRAM_SEED` seeds a kernel only when its starter
 * asks for it (KernelClient's `seed`: the `tram.seed` setting, `tram run --seed`), so a TRAM_SEED left in the
 * environment of the editor, a shell or a test run does not silently seed kernels that are meant to be unseeded.
 */
export const ENV_NOT_INHERITED = ['TRAM_SEED'];

/** The allow-listed subset of `from`, plus `extra` (given explicitly by the caller, copied as is). */
export function kernelEnv(from: NodeJS.ProcessEnv = process.env, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(from)) {
    if (ENV_NOT_INHERITED.includes(k)) continue;
    if (v !== undefined && (ENV_ALLOW_LIST.includes(k) || k.startsWith('TRAM_'))) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
