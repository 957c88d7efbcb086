/**
 * The `tram` command. Each sub-command lives in its own module beside this file and exports
 * `run(args: string[]): Promise<number>` (the exit status); modules load only when used.
 */
interface Command {
  module: string;
  summary: string;
}

const commands: Record<string, Command> = {
  golden: { module: './golden', summary: 'tram golden <dir>            check the optimizers against golden cases' },
  doctor: { module: './doctor', summary: 'tram doctor [--backend B]    which backend runs, and why the others do not' },
  run: { module: './run', summary: 'tram run NB.ipynb… [--out F | --inplace] [--timeout S] [--allow-errors]' },
  jupyter: { module: './jupyter', summary: 'tram jupyter install [--user | --prefix DIR]   Jupyter kernelspec' },
  kernel: { module: './kernel', summary: 'tram kernel …                 internal: start a kernel process' },
};

function usage(): string {
  return ['usage: tram <command> [options]', '', ...Object.values(commands).map((c) => '  ' + c.summary)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`tram: unknown command '${name}'.\n${usage()}`);
    return 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(cmd.module) as { run(args: string[]): Promise<number> };
  return mod.run(rest);
}
