/**
 * tram kernel [--backend B]                 a kernel on this process's IPC channel (what KernelClient starts)
 * tram kernel --jupyter CONNECTION_FILE     a kernel over the Jupyter protocol (what the kernelspec starts)
 */
export async function run(args: string[]): Promise<number> {
  const j = args.indexOf('--jupyter');
  if (j >= 0) {
    const file = args[j + 1];
    if (!file) {
      console.error('tram kernel: --jupyter needs the connection file Jupyter passes ({connection_file})');
      return 2;
    }
    const { startJupyterKernel } = await import('../host/jupyter');
    await startJupyterKernel(file);
    return new Promise<number>(() => undefined); // serves until Jupyter shuts it down
  }
  const { startIpcKernel } = await import('../runtime/main');
  await startIpcKernel(args);
  return new Promise<number>(() => undefined);
}
