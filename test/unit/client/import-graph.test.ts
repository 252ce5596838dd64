import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * `dispatchr/client` and `dispatchr/handler` run inside applications, so they must not drag in the
 * ORM, Koa, the scheduler's libraries or any server module. This walks every static import,
 * export-from, `import('x')` type and dynamic import, recursively from each entry point (type-only
 * imports included: they would reach the published .d.ts files), and checks each module reached.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Dependency-free modules the client shares with the rest of Dispatchr; each imports nothing but these. */
const SHARED_WITH_CLIENT = [
  'src/db/task-insert-row.ts', // what a new task's row holds
  'src/db/drivers/postgresql/task-insert.sql.ts', // the statement enqueueWithin runs
  'src/db/drivers/postgresql/pg-array.ts', // ... its column arrays as array literals
  'src/db/drivers/postgresql/task-key-upsert.sql.ts', // ... and its keyMode upsert
  'src/db/key-holder.sql.ts', // what holds a key, and which holder replace/debounce may change
  'src/rules/task-keys.ts', // key modes, keyMaxWait and keyRetention limits
  'src/ids.ts', // uuidv7
  'src/errors.ts', // the DispatchrError base
  'src/duration.ts', // "90s" → ms
  'src/rules/target-path.ts', // path rules
  'src/rules/json-safety.ts', // NUL, __proto__, depth
  'src/rules/json-canonical.ts', // the body's RFC 8785 bytes (spec 5.2)
  'src/rules/rfc3339.ts', // time parsing
  'src/rules/task-headers.ts', // header rules
  'src/rules/task-limits.ts', // one year ahead, maxAttempts
  'src/rules/task-fields.ts', // methods, queue names, keys, media types, base64
  'src/rules/task-retry.ts', // a task's own retry settings: shape and duration
  'src/rules/task-priority.ts', // priority: 0 to 9
  'src/rules/callback-target.ts', // onComplete / onFailure: shape and relative path
  'src/sensitive-names.ts', // the one redaction rule (task-headers re-exports it)
  'src/backoff.ts', // the one infrastructure backoff rule (transport's retries)
];
const SHARED_WITH_HANDLER = ['src/errors.ts', 'src/signing-secret.ts']; // the secret format, one rule on both sides
const FORBIDDEN_PACKAGES =
  /^(@mikro-orm\/|koa$|koa-|@koa\/|piscina|bottleneck|undici|pg$|pg-|knex|express|zod|xstate|pino|yaml|@oclif\/|better-sqlite3)/;

interface Graph {
  files: Set<string>;
  packages: Map<string, string>; // specifier → first importer
}

function specifiersOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function importGraph(entry: string): Graph {
  const graph: Graph = { files: new Set(), packages: new Map() };
  const pending = [path.join(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const relative = path.relative(ROOT, file).split(path.sep).join('/');
    if (graph.files.has(relative)) continue;
    graph.files.add(relative);
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
        if (!existsSync(target))
          throw new Error(`${relative} imports ${specifier}, which does not resolve to a .ts file`);
        pending.push(target);
      } else if (!graph.packages.has(specifier)) {
        graph.packages.set(specifier, relative);
      }
    }
  }
  return graph;
}

const outside = (files: Set<string>, folder: string, shared: string[]) =>
  [...files].filter((file) => !file.startsWith(`${folder}/`) && !shared.includes(file));
const notBuiltin = (graph: Graph) =>
  [...graph.packages].filter(([specifier]) => !specifier.startsWith('node:')).map(([s, by]) => `${s} (from ${by})`);

describe('import graph of the app-side entry points', () => {
  it('src/client/index.ts reaches only src/client, the listed shared modules and node: builtins', () => {
    const graph = importGraph('src/client/index.ts');
    expect(outside(graph.files, 'src/client', SHARED_WITH_CLIENT)).toEqual([]);
    expect(notBuiltin(graph)).toEqual([]);
    // The walk really followed the imports (a parser that found nothing would pass the checks above).
    expect(graph.files).toContain('src/client/enqueue-within.ts');
    expect(graph.files).toContain('src/db/task-insert-row.ts');
    expect(graph.files).toContain('src/rules/target-path.ts');
    expect(graph.packages.has('node:crypto')).toBe(true);
  });

  it('src/handler/index.ts reaches only src/handler, the error base and node: builtins', () => {
    const graph = importGraph('src/handler/index.ts');
    expect(outside(graph.files, 'src/handler', SHARED_WITH_HANDLER)).toEqual([]);
    expect(notBuiltin(graph)).toEqual([]);
    expect(graph.files).toContain('src/handler/middleware.ts');
    expect(graph.packages.has('node:http')).toBe(true); // from an import('node:http') type
  });

  it('the shared modules stay dependency-free', () => {
    for (const file of SHARED_WITH_CLIENT) {
      const graph = importGraph(file);
      expect(outside(graph.files, '(none)', SHARED_WITH_CLIENT), file).toEqual([]);
      expect(notBuiltin(graph), file).toEqual([]);
    }
  });

  it('would notice: the recorder reaches Koa and MikroORM', () => {
    const graph = importGraph('src/recorder/app.ts');
    const forbidden = [...graph.packages.keys()].filter((specifier) => FORBIDDEN_PACKAGES.test(specifier));
    expect(forbidden).toEqual(expect.arrayContaining(['koa', '@mikro-orm/postgresql']));
  });
});
