/**
 * IntelliSense for the cells of notebooks that use the TRAM kernel, before the kernel starts: completion, hover,
 * signature help, go to definition and squiggles while typing (debounced), all answered by the types process
 * (kernel/runtime/typesServer.ts) from the kernel's globals plus the cells above, in notebook order.
 *
 * Registered for `{ notebookType: 'jupyter-notebook', language: 'typescript' | 'javascript' }`; each request
 * first checks that the cell's notebook uses the TRAM kernel (TramController.uses), so other notebooks are left to
 * VS Code's own TypeScript.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CellCompletion, CellDefinition, CellDiagnostic, CellHover, CellSignatures, CellText } from '../kernel/runtime/cellTypes';
import type { TramController } from './controller';
import { modulePath, notebookFolder } from './kernelFactory';
import { readSettings } from './config';
import { locateNodeHere } from './nodeLocator';
import { TypesClient } from './typesClient';

const LANGS = ['typescript', 'javascript'];
const DEBOUNCE_MS = 300;

interface CellRef {
  notebook: vscode.NotebookDocument;
  cells: CellText[];
  /** index into `cells` (code cells only) */
  index: number;
  docs: vscode.TextDocument[];
}

const KINDS: Record<string, vscode.CompletionItemKind> = {
  method: vscode.CompletionItemKind.Method,
  function: vscode.CompletionItemKind.Function,
  'local function': vscode.CompletionItemKind.Function,
  property: vscode.CompletionItemKind.Property,
  getter: vscode.CompletionItemKind.Property,
  setter: vscode.CompletionItemKind.Property,
  var: vscode.CompletionItemKind.Variable,
  let: vscode.CompletionItemKind.Variable,
  const: vscode.CompletionItemKind.Constant,
  'local var': vscode.CompletionItemKind.Variable,
  class: vscode.CompletionItemKind.Class,
  interface: vscode.CompletionItemKind.Interface,
  type: vscode.CompletionItemKind.TypeParameter,
  enum: vscode.CompletionItemKind.Enum,
  module: vscode.CompletionItemKind.Module,
  alias: vscode.CompletionItemKind.Module,
  keyword: vscode.CompletionItemKind.Keyword,
  string: vscode.CompletionItemKind.Value,
};

export class CellIntellisense implements vscode.Disposable {
  private readonly clients = new Map<string, TypesClient>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tram');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The latest check of each notebook: an older one still going stops at its next cell (its texts are stale). */
  private readonly checks = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionPath: string, private readonly controller: TramController, private readonly log: vscode.OutputChannel) {
    const selector: vscode.DocumentSelector = LANGS.map((language) => ({ notebookType: 'jupyter-notebook', language }));
    this.disposables.push(
      this.diagnostics,
      vscode.languages.registerCompletionItemProvider(selector, { provideCompletionItems: (d, p, _t, c) => this.complete(d, p, c) }, '.', "'", '"', '`', '/', '@', '<'),
      vscode.languages.registerHoverProvider(selector, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.languages.registerSignatureHelpProvider(selector, { provideSignatureHelp: (d, p) => this.signatures(d, p) }, '(', ','),
      vscode.languages.registerDefinitionProvider(selector, { provideDefinition: (d, p) => this.definition(d, p) }),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.scheduleNotebook(nb)),
      vscode.workspace.onDidChangeNotebookDocument((e) => this.scheduleNotebook(e.notebook)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.clear(nb)),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.scheduleNotebook(nb);
  }

  private locate(doc: vscode.TextDocument): CellRef | undefined {
    if (doc.uri.scheme !== 'vscode-notebook-cell') return undefined;
    for (const notebook of vscode.workspace.notebookDocuments) {
      if (notebook.uri.fsPath !== doc.uri.fsPath && notebook.uri.path !== doc.uri.path) continue;
      const code = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && LANGS.includes(c.document.languageId));
      const index = code.findIndex((c) => c.document.uri.toString() === doc.uri.toString());
      if (index < 0) continue;
      if (!this.controller.uses(notebook)) return undefined;
      const docs = code.map((c) => c.document);
      const cells = docs.map((d) => ({ code: d.getText(), language: d.languageId as CellText['language'] }));
      return { notebook, cells, index, docs };
    }
    return undefined;
  }

  private client(notebook: vscode.NotebookDocument): TypesClient {
    const cwd = notebookFolder(notebook);
    let c = this.clients.get(cwd);
    if (!c) {
      const node = locateNodeHere(readSettings(notebook.uri).nodePath);
      c = new TypesClient({
        serverMain: path.join(this.extensionPath, 'out', 'kernel', 'runtime', 'typesServer.js'),
        cwd,
        nodePath: node.command,
        env: { ...node.env, NODE_PATH: modulePath(this.extensionPath, process.env.NODE_PATH) },
        log: (s) => this.log.append(s),
      });
      this.clients.set(cwd, c);
    }
    return c;
  }

  private async complete(doc: vscode.TextDocument, pos: vscode.Position, ctx: vscode.CompletionContext): Promise<vscode.CompletionItem[] | undefined> {
    const ref = this.locate(doc);
    if (!ref) return undefined;
    const items = await this.client(ref.notebook).request<CellCompletion[]>('completions', ref.cells, ref.index, doc.offsetAt(pos), ctx.triggerCharacter);
    if (!items) return undefined;
    return items.map((e) => {
      const item = new vscode.CompletionItem(e.name, KINDS[e.kind] ?? vscode.CompletionItemKind.Text);
      item.sortText = e.sortText;
      if (e.insertText) item.insertText = e.insertText;
      if (e.replace) item.range = new vscode.Range(doc.positionAt(e.replace.start), doc.positionAt(e.replace.end));
      return item;
    });
  }

  private async hover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const ref = this.locate(doc);
    if (!ref) return undefined;
    const h = await this.client(ref.notebook).request<CellHover>('hover', ref.cells, ref.index, doc.offsetAt(pos));
    if (!h) return undefined;
    const md = new vscode.MarkdownString().appendCodeblock(h.display, 'typescript');
    if (h.documentation) md.appendMarkdown('\n\n').appendMarkdown(h.documentation);
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)));
  }

  private async signatures(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.SignatureHelp | undefined> {
    const ref = this.locate(doc);
    if (!ref) return undefined;
    const s = await this.client(ref.notebook).request<CellSignatures>('signatureHelp', ref.cells, ref.index, doc.offsetAt(pos));
    if (!s) return undefined;
    const help = new vscode.SignatureHelp();
    help.activeSignature = s.activeSignature;
    help.activeParameter = s.activeParameter;
    help.signatures = s.signatures.map((sig) => {
      const info = new vscode.SignatureInformation(sig.label, sig.documentation);
      info.parameters = sig.parameters.map((p) => new vscode.ParameterInformation(p.label, p.documentation));
      return info;
    });
    return help;
  }

  private async definition(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Location[] | undefined> {
    const ref = this.locate(doc);
    if (!ref) return undefined;
    const defs = await this.client(ref.notebook).request<CellDefinition[]>('definition', ref.cells, ref.index, doc.offsetAt(pos));
    if (!defs) return undefined;
    return defs.map((d) => {
      const range = new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character);
      return new vscode.Location(d.file ? vscode.Uri.file(d.file) : ref.docs[d.cell ?? ref.index].uri, range);
    });
  }

  private schedule(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'vscode-notebook-cell') return;
    const nb = vscode.workspace.notebookDocuments.find((n) => n.uri.path === doc.uri.path);
    if (nb) this.scheduleNotebook(nb);
  }

  /** Re-checks every cell of the notebook DEBOUNCE_MS after the last edit (earlier cells' checks are cached). */
  private scheduleNotebook(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.check(nb).catch((e) => this.log.appendLine(`types: ${e.message}`)), DEBOUNCE_MS));
  }

  private async check(nb: vscode.NotebookDocument): Promise<void> {
    const first = nb.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code && LANGS.includes(c.document.languageId));
    if (!first) return;
    const ref = this.locate(first.document);
    if (!ref) return;
    const client = this.client(nb);
    const key = nb.uri.toString();
    const generation = (this.checks.get(key) ?? 0) + 1;
    this.checks.set(key, generation);
    for (let i = 0; i < ref.cells.length; i++) {
      const diags = await client.request<CellDiagnostic[]>('diagnostics', ref.cells, i);
      if (this.checks.get(key) !== generation) return;
      if (!diags) continue;
      const doc = ref.docs[i];
      this.diagnostics.set(
        doc.uri,
        diags.map((d) => {
          const v = new vscode.Diagnostic(
            new vscode.Range(doc.positionAt(d.start), doc.positionAt(Math.max(d.end, d.start + 1))),
            d.message,
            d.category === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
          );
          v.code = d.code;
          v.source = 'tram';
          return v;
        }),
      );
    }
  }

  private clear(nb: vscode.NotebookDocument): void {
    this.checks.delete(nb.uri.toString());
    for (const c of nb.getCells()) this.diagnostics.delete(c.document.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const c of this.clients.values()) c.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
