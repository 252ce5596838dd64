import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of the architecture note (../shared/design/architecture.md beside this
 * repository, "Dependency direction"), enforced here rather than by review:
 *  - commands (and the package entry) may import anything; the operator CLI's backend is theirs;
 *  - the recorder and the scheduler never import each other: they meet only in the database;
 *  - storage, machines and strategies depend only on the kernel (storage also reads the machine's
 *    transition table, which is pure data: the module map has every writer take its state lists
 *    and patch from it);
 *  - `rules/` is part of the kernel: dependency-free task rules shared with the client;
 *  - the dispatch worker imports no ORM, no Koa and no config loader;
 *  - no two areas may import each other, directly or around a loop.
 */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (spec.startsWith('.'))
      local.push(path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts'));
    else packages.push(spec);
  }
  return { local, packages };
}

/** The top folder of a src-relative path, or "kernel" for files directly in src/. */
const area = (relative: string) =>
  relative === 'index.ts' ? 'entry' : relative.includes('/') ? relative.split('/')[0] : 'kernel';

const KERNEL = ['kernel', 'rules'];
const ALLOWED: Record<string, string[]> = {
  kernel: ['kernel'],
  rules: KERNEL,
  // The cron section's schema is the cron module's own (the API reads definitions with it too).
  config: [...KERNEL, 'config', 'cron'],
  machines: [...KERNEL, 'machines'],
  strategies: [...KERNEL, 'strategies'],
  db: [...KERNEL, 'db', 'machines'],
  workers: [...KERNEL, 'workers'],
  cron: [...KERNEL, 'cron', 'db'],
  // Why a task waits, read from the database: shown by the recorder and the operator.
  explain: [...KERNEL, 'explain', 'config', 'db'],
  // Prometheus collectors; the scheduler and the recorder each feed their own.
  metrics: [...KERNEL, 'metrics', 'db'],
  recorder: [...KERNEL, 'recorder', 'config', 'db', 'machines', 'strategies', 'cron', 'explain', 'metrics'],
  scheduler: [...KERNEL, 'scheduler', 'config', 'db', 'machines', 'strategies', 'workers', 'cron', 'metrics'],
  // The app-side SDKs; test/unit/client/import-graph.test.ts narrows `db` to the one insert statement.
  client: [...KERNEL, 'client', 'db'],
  handler: ['kernel', 'handler'],
  // Shared by the oclif commands: the base command, opening the database, error reporting.
  cli: [...KERNEL, 'cli', 'config', 'db'],
  // The operator commands' backends (database or HTTP): the recorder's domain modules, never its routes.
  operator: [...KERNEL, 'operator', 'cli', 'config', 'db', 'explain', 'recorder', 'cron'],
  commands: [
    ...KERNEL,
    'commands',
    'cli',
    'operator',
    'config',
    'db',
    'machines',
    'strategies',
    'workers',
    'cron',
    'explain',
    'metrics',
    'recorder',
    'scheduler',
  ],
  entry: [...KERNEL, 'config', 'db', 'machines', 'strategies', 'recorder', 'scheduler'],
  // The conformance kit tests an implementation from outside: nothing of ours, not even the kernel.
  conformance: ['conformance'],
};

/** The first loop in the allowed edges between different areas, as a path, or null. */
function findCycle(edges: Record<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, trail: string[]): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    for (const next of edges[node] ?? []) {
      if (next === node) continue;
      const cycle = visit(next, [...trail, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return null;
  };
  for (const node of Object.keys(edges)) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return null;
}

describe('module boundaries', () => {
  const all = files(SRC).map((file) => ({ file: path.relative(SRC, file), ...importsOf(file) }));

  it('finds the source files', () => expect(all.length).toBeGreaterThan(50));

  it('knows every area of src/, so a new folder states its dependencies here', () => {
    expect([...new Set(all.map((f) => area(f.file)))].filter((name) => !Object.hasOwn(ALLOWED, name))).toEqual([]);
  });

  it('allows no loop between areas', () => {
    expect(findCycle(ALLOWED)).toBeNull();
    // The check itself finds one, so a null above means something.
    expect(findCycle({ a: ['b'], b: ['c'], c: ['a'] })).toEqual(['a', 'b', 'c', 'a']);
  });

  it('only the recorder imports its routes: domain functions live outside routes/', () => {
    const routeUsers = all.filter(
      (f) => !f.file.startsWith('recorder/') && f.local.some((t) => t.startsWith('recorder/routes/')),
    );
    expect(routeUsers.map((f) => f.file)).toEqual([]);
  });

  for (const [from, allowed] of Object.entries(ALLOWED)) {
    it(`${from} imports only ${allowed.join(', ')}`, () => {
      const violations = all
        .filter((f) => area(f.file) === from)
        .flatMap((f) =>
          f.local.filter((target) => !allowed.includes(area(target))).map((target) => `${f.file} → ${target}`),
        );
      expect(violations).toEqual([]);
    });
  }

  it("only src/db/drivers/ holds what is one database's, and only its registry picks a driver", () => {
    // Outside src/db, a driver is reached through db/driver.ts and the repositories; the one
    // exception is the client's enqueueWithin, a PostgreSQL-only feature that runs PostgreSQL's
    // insert (and its keyed upsert, spec 11.2) inside the application's own transaction.
    const CLIENT_STATEMENTS = [
      'db/drivers/postgresql/task-insert.sql.ts',
      'db/drivers/postgresql/task-key-upsert.sql.ts',
    ];
    const outside = all.filter(
      (f) =>
        !f.file.startsWith('db/') && f.local.some((t) => t.startsWith('db/drivers/') && !CLIENT_STATEMENTS.includes(t)),
    );
    expect(outside.map((f) => f.file)).toEqual([]);
    const pickers = all.filter((f) => f.file !== 'db/orm.ts' && f.local.some((t) => t === 'db/drivers/registry.ts'));
    expect(pickers.map((f) => f.file)).toEqual([]);
    // A driver folder imports no other driver's.
    const crossing = all.filter((f) => {
      const own = /^db\/drivers\/([^/]+)\//.exec(f.file)?.[1];
      return (
        own !== undefined && f.local.some((t) => /^db\/drivers\/[^/]+\//.test(t) && !t.startsWith(`db/drivers/${own}/`))
      );
    });
    expect(crossing.map((f) => f.file)).toEqual([]);
  });

  it('no code outside src/db/drivers/ branches on the database', () => {
    // Code, not comments: a comparison with a database's name, a dialect switch or a driver test in
    // disguise. (A driver's name may go into a log line; nothing may compare it.)
    const NAMES_A_DATABASE =
      /dialect|['"`](postgres|postgresql|sqlite|better-sqlite3?)['"`]|isPg|isSqlite|driver\.(name|title)\s*[!=]==/i;
    const offending = all
      .filter((f) => !f.file.startsWith('db/drivers/'))
      .flatMap((f) =>
        readFileSync(path.join(SRC, f.file), 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .split('\n')
          .map((line, index) => ({ line: line.replace(/\/\/.*$/, ''), at: `${f.file}:${index + 1}` }))
          .filter(({ line }) => NAMES_A_DATABASE.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offending).toEqual([]);
  });

  it('the recorder and the scheduler meet only in the database', () => {
    const crossing = all.filter(
      (f) =>
        (area(f.file) === 'recorder' && f.local.some((t) => area(t) === 'scheduler')) ||
        (area(f.file) === 'scheduler' && f.local.some((t) => area(t) === 'recorder')),
    );
    expect(crossing.map((f) => f.file)).toEqual([]);
  });

  it('the conformance kit imports only its own files, node: built-ins and runtime dependencies', () => {
    // A kit sharing code with the implementation could share its bugs, and hide them (issue 22).
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const runtime = Object.keys(pkg.dependencies);
    const kit = all.filter((f) => f.file.startsWith('conformance/'));
    expect(kit.length).toBeGreaterThan(5);
    const outside = kit.flatMap((f) =>
      f.local.filter((t) => !t.startsWith('conformance/')).map((t) => `${f.file} → ${t}`),
    );
    expect(outside).toEqual([]);
    const packageOf = (spec: string) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const foreign = kit.flatMap((f) =>
      f.packages
        .filter((p) => !p.startsWith('node:') && !runtime.includes(packageOf(p)))
        .map((p) => `${f.file} → ${p}`),
    );
    expect(foreign).toEqual([]);
  });

  it('the dispatch worker imports no ORM, no Koa and no config loader', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (relative: string) => {
      if (seen.has(relative)) return;
      seen.add(relative);
      const entry = all.find((f) => f.file === relative);
      if (!entry) return;
      entry.packages.forEach((p) => packages.add(p));
      entry.local.forEach(visit);
    };
    visit('workers/dispatch.worker.ts');
    expect([...seen].filter((f) => f.startsWith('config/') || f.startsWith('db/'))).toEqual([]);
    expect([...packages].filter((p) => /mikro-orm|koa|yaml|zod/.test(p))).toEqual([]);
  });
});
