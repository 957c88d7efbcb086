/**
 * `{ x }` where `x` is a variable of an earlier cell.
 *
 * The converter rewrites every reference to an earlier cell's variable `x` into `exports.x`, except a shorthand
 * property `{ x }`, which then names nothing at run time ("x is not defined"). This pass, on the emitted
 * JavaScript, spells such properties out as `x: exports.x`. It only touches a shorthand whose name is a cell
 * variable and is bound nowhere in the cell itself (no declaration, parameter, function, class or import of that
 * name), so a local of the same name is never redirected. Lines are kept, so stack traces still map.
 */
import type * as TS from 'typescript';

let tsModule: typeof TS | undefined;
function ts(): typeof TS {
  // The TypeScript that tslab's converter ships with (the project's own `typescript` is a dev dependency only).
  tsModule ??= require('@tslab/typescript-for-tslab') as typeof TS;
  return tsModule;
}

/** Quick test: is there anything that looks like a shorthand property at all? */
const MAYBE_SHORTHAND = /[{,]\s*[A-Za-z_$][\w$]*\s*(?:[,}]|$)/m;

export function rewriteCellShorthands(js: string, isCellVariable: (name: string) => boolean): string {
  if (!MAYBE_SHORTHAND.test(js)) return js;
  const t = ts();
  const source = t.createSourceFile('cell.js', js, t.ScriptTarget.Latest, true, t.ScriptKind.JS);
  const bound = new Set<string>();
  const candidates: TS.ShorthandPropertyAssignment[] = [];
  const visit = (node: TS.Node): void => {
    if (t.isShorthandPropertyAssignment(node)) {
      if (!node.objectAssignmentInitializer) candidates.push(node);
    } else {
      const name = (node as { name?: TS.Node }).name;
      if (
        name && t.isIdentifier(name) &&
        (t.isVariableDeclaration(node) || t.isParameter(node) || t.isBindingElement(node) ||
          t.isFunctionDeclaration(node) || t.isFunctionExpression(node) || t.isClassDeclaration(node) ||
          t.isClassExpression(node) || t.isImportSpecifier(node) || t.isImportClause(node) || t.isNamespaceImport(node))
      ) {
        bound.add(name.text);
      }
    }
    t.forEachChild(node, visit);
  };
  visit(source);
  const edits = candidates.filter((c) => !bound.has(c.name.text) && isCellVariable(c.name.text));
  if (edits.length === 0) return js;
  let out = js;
  for (const c of edits.sort((a, b) => b.name.getStart(source) - a.name.getStart(source))) {
    const name = c.name.text;
    out = out.slice(0, c.name.getStart(source)) + `${name}: exports.${name}` + out.slice(c.name.getEnd());
  }
  return out;
}
