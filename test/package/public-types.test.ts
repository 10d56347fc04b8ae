/**
 * A deliberate public API (issue 16): every type that appears in the signature of something src/index.ts exports
 * (parameters, results, fields, class members, recursively) is exported too, so that users can name it.
 * Walks the declarations with the TypeScript compiler's API.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const src = `${root}src/`;

function typesMissingFromIndex(): string[] {
  const program = ts.createProgram([`${src}index.ts`], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(`${src}index.ts`);
  if (!index) throw new Error("src/index.ts not found");
  const moduleSymbol = checker.getSymbolAtLocation(index);
  if (!moduleSymbol) throw new Error("src/index.ts has no module symbol");
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exports = checker.getExportsOfModule(moduleSymbol).map(resolve);
  const exportedDeclarations = new Set(exports.flatMap((s) => s.declarations ?? []));
  const missing = new Map<string, string>();
  const seen = new Set<ts.Node>();

  const visitNode = (node: ts.Node, via: string): void => {
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
      const found = checker.getSymbolAtLocation(name);
      const symbol = found ? resolve(found) : undefined;
      for (const d of symbol?.declarations ?? []) {
        const file = d.getSourceFile().fileName;
        if (!file.startsWith(src) || ts.isTypeParameterDeclaration(d)) continue;
        if (!exportedDeclarations.has(d) && !missing.has(symbol!.name))
          missing.set(symbol!.name, `${symbol!.name} (${file.slice(root.length)}, used by ${via})`);
        visitDeclaration(d, symbol!.name);
      }
    }
    ts.forEachChild(node, (child) => visitNode(child, via));
  };
  const visitDeclaration = (d: ts.Node, via: string): void => {
    if (seen.has(d)) return;
    seen.add(d);
    if (ts.isClassDeclaration(d)) {
      for (const m of d.members) {
        const isPrivate =
          (m.name !== undefined && ts.isPrivateIdentifier(m.name)) ||
          ts.getCombinedModifierFlags(m as ts.Declaration) & ts.ModifierFlags.Private;
        if (!isPrivate) visitNode(m, via);
      }
      for (const h of d.heritageClauses ?? []) visitNode(h, via);
      return;
    }
    if (ts.isFunctionDeclaration(d)) {
      for (const p of d.parameters) visitNode(p, via);
      if (d.type) visitNode(d.type, via);
      return;
    }
    if (ts.isVariableDeclaration(d)) {
      if (d.type) visitNode(d.type, via);
      return;
    }
    visitNode(d, via);
  };
  for (const s of exports) for (const d of s.declarations ?? []) visitDeclaration(d, s.name);
  return [...missing.values()].sort();
}

it("every type in a public signature is exported from src/index.ts", () => {
  expect(typesMissingFromIndex()).toEqual([]);
}, 60_000);
