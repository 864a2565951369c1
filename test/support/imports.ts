// The static imports of the files under lambdas/, read from the TypeScript compiler's syntax tree, each
// marked type-only (erased at compile) or not: for the tests of which way dependencies point.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const LAMBDAS = resolve(__dirname, '../../lambdas');

export type Graph = Map<string, Set<string>>;

export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** A relative specifier as the compiler resolves it (x.ts, x/index.ts); bare packages are not ours. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const found = [`${base}.ts`, join(base, 'index.ts'), base].find((p) => p.endsWith('.ts') && isFile(p));
  if (!found) throw new Error(`${relative(LAMBDAS, from)} imports ${specifier}, which names no .ts file`);
  return found;
}

export type Kind = 'runtime' | 'type';

/** Every module a file names, and whether the import is erased at compile (`import type`, `import('x').T`). */
export function importsOf(file: string): Array<{ specifier: string; kind: Kind }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string; kind: Kind }> = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) found.push({ specifier: specifier.text, kind: typeOnly ? 'type' : 'runtime' });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      add(node.moduleSpecifier, !!clause && (clause.isTypeOnly || (!clause.name && !!named?.length && named.every((e) => e.isTypeOnly))));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named?.length && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const underRoot = (root: string, path: string) => relative(root, path).split(sep).join('/');

/** File -> the files under lambdas/ it imports (paths relative to lambdas/: admin/routes.ts), all and run-time only. */
export function fileGraphs(root = LAMBDAS): { all: Graph; runtime: Graph } {
  const all: Graph = new Map();
  const runtime: Graph = new Map();
  for (const file of tsFiles(root)) {
    const name = underRoot(root, file);
    all.set(name, new Set());
    runtime.set(name, new Set());
    for (const { specifier, kind } of importsOf(file)) {
      const target = resolveImport(file, specifier);
      if (target === undefined || underRoot(root, target).startsWith('..')) continue;
      all.get(name)!.add(underRoot(root, target));
      if (kind === 'runtime') runtime.get(name)!.add(underRoot(root, target));
    }
  }
  return { all, runtime };
}

