import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of docs/architecture (enforced here rather than by review):
 * the recorder and the scheduler never import each other; storage, machines and strategies
 * depend only on the kernel (storage may also read the machine, which is pure, so every state
 * write is computed from it in the one place that writes); the dispatch worker imports no ORM,
 * no Koa and no config loader.
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
    if (spec.startsWith('.')) local.push(path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts'));
    else packages.push(spec);
  }
  return { local, packages };
}

/** The top folder of a src-relative path, or "kernel" for files directly in src/. */
const area = (relative: string) => (relative === 'index.ts' ? 'entry' : relative.includes('/') ? relative.split('/')[0] : 'kernel');

const ALLOWED: Record<string, string[]> = {
  kernel: ['kernel'],
  // Task rules shared by the recorder, the client and the scheduler: dependency-free.
  rules: ['kernel', 'rules'],
  db: ['kernel', 'rules', 'db', 'machines'],
  machines: ['kernel', 'rules', 'machines'],
  strategies: ['kernel', 'rules', 'strategies', 'config'],
  workers: ['kernel', 'rules', 'workers'],
  explain: ['kernel', 'rules', 'explain', 'config', 'db'],
  metrics: ['kernel', 'rules', 'metrics', 'db', 'scheduler', 'config'],
  recorder: ['kernel', 'rules', 'recorder', 'config', 'db', 'machines', 'explain', 'metrics'],
  scheduler: ['kernel', 'rules', 'scheduler', 'config', 'db', 'machines', 'strategies', 'workers', 'metrics'],
};

describe('module boundaries', () => {
  const all = files(SRC).map((file) => ({ file: path.relative(SRC, file), ...importsOf(file) }));

  it('finds the source files', () => expect(all.length).toBeGreaterThan(50));

  for (const [from, allowed] of Object.entries(ALLOWED)) {
    it(`${from} imports only ${allowed.join(', ')}`, () => {
      const violations = all
        .filter((f) => area(f.file) === from)
        .flatMap((f) => f.local.filter((target) => !allowed.includes(area(target))).map((target) => `${f.file} → ${target}`));
      expect(violations).toEqual([]);
    });
  }

  it('the recorder and the scheduler meet only in the database', () => {
    const crossing = all.filter(
      (f) =>
        (area(f.file) === 'recorder' && f.local.some((t) => area(t) === 'scheduler')) ||
        (area(f.file) === 'scheduler' && f.local.some((t) => area(t) === 'recorder')),
    );
    expect(crossing.map((f) => f.file)).toEqual([]);
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
