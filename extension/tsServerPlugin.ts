/**
 * A TypeScript server plugin (`tram-ts-plugin`, loaded by VS Code's built-in TypeScript through
 * `contributes.typescriptServerPlugins`): in the cells of notebooks that use the TRAM kernel, the built-in
 * TypeScript answers no hover, completion or signature help, so the editor shows ours (extension/intellisense.ts)
 * alone. The built-in one does not know the kernel's globals or how cells follow one another: it typed `tf`, `t`, …
 * as `any` beside our real types (#11). Everything else (syntax, other files, other notebooks) is untouched.
 *
 * Contract: the extension sends `{ notebooks: string[] }` (the URI paths of the notebooks that use the kernel) with
 * the TypeScript extension's `configurePlugin`; VS Code names a cell `^/vscode-notebook-cell/<authority><path>#<cell>`
 * for tsserver, and a file whose <path> is in that list is a TRAM cell. Loaded by tsserver as CommonJS
 * (`module.exports = init`); it is packaged as node_modules/tram-ts-plugin (scripts/package.mjs).
 */
import type * as TS from 'typescript/lib/tsserverlibrary';

interface TramPluginConfig {
  notebooks?: string[];
}

/** The notebook path of a notebook cell's tsserver file name, or undefined for any other file. */
function cellNotebookPath(fileName: string): string | undefined {
  const m = /^\^\/vscode-notebook-cell\/[^/]*(\/[^#]*)(?:#.*)?$/.exec(fileName.replace(/\\/g, '/'));
  return m ? m[1] : undefined;
}

function init(): TS.server.PluginModule {
  let notebooks = new Set<string>();
  const isTramCell = (fileName: string) => {
    const p = cellNotebookPath(fileName);
    return p !== undefined && (notebooks.has(p) || notebooks.has(p.toLowerCase()));
  };
  return {
    create(info) {
      const ls = info.languageService;
      const proxy = Object.create(null) as TS.LanguageService;
      for (const k of Object.keys(ls) as (keyof TS.LanguageService)[]) {
        const f = ls[k];
        (proxy as unknown as Record<string, unknown>)[k] = typeof f === 'function' ? (...a: unknown[]) => (f as (...x: unknown[]) => unknown).apply(ls, a) : f;
      }
      proxy.getQuickInfoAtPosition = (file, pos) => (isTramCell(file) ? undefined : ls.getQuickInfoAtPosition(file, pos));
      proxy.getCompletionsAtPosition = (file, pos, opts, fmt) => (isTramCell(file) ? undefined : ls.getCompletionsAtPosition(file, pos, opts, fmt));
      proxy.getSignatureHelpItems = (file, pos, opts) => (isTramCell(file) ? undefined : ls.getSignatureHelpItems(file, pos, opts));
      return proxy;
    },
    onConfigurationChanged(config: TramPluginConfig) {
      const list = Array.isArray(config?.notebooks) ? config.notebooks.filter((p) => typeof p === 'string') : [];
      notebooks = new Set(list.flatMap((p) => [p, p.toLowerCase()]));
    },
  };
}

export = Object.assign(init, { cellNotebookPath });
