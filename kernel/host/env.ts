/**
 * The environment a kernel process gets: an allow-list of the host's variables, never the whole environment
 * (tokens and credentials in the editor's environment must not leak into notebook code).
 */

/** Variables copied from the host when set. `TRAM_*` variables are copied too. */
export const ENV_ALLOW_LIST = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_NUMERIC', 'TZ',
  'TMPDIR', 'TMP', 'TEMP', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS',
  // native tfjs backends
  'LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES', 'TF_CPP_MIN_LOG_LEVEL', 'TF_FORCE_GPU_ALLOW_GROWTH',
  // Windows essentials
  'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA',
];

/** The allow-listed subset of `from`, plus `extra` (given explicitly by the caller, copied as is). */
export function kernelEnv(from: NodeJS.ProcessEnv = process.env, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(from)) {
    if (v !== undefined && (ENV_ALLOW_LIST.includes(k) || k.startsWith('TRAM_'))) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
