import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli-proc.js';

/**
 * The cold figure runs the real CLI, which runs dist/: a dist/ older than src/ would measure
 * yesterday's scheduler. When any file under src/ is newer than dist/index.js, or a src/ module is
 * newer than its own dist/ output (a build that ran while src/ was being edited leaves dist/index.js
 * fresh and another file stale), `npm run build` runs once, and the bench says so. A failed build
 * stops the bench: dist/ could then be half old.
 */
const mtime = (file: string): number => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0; // not built
  }
};

/** The first src/ file found stale against dist/, or null. */
function staleSource(dir: string, index: number): string | null {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = staleSource(full, index);
      if (found) return found;
      continue;
    }
    const own = mtime(full);
    if (own > index) return full;
    if (!/\.[cm]?ts$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const out = path
      .join(REPO_ROOT, 'dist', path.relative(path.join(REPO_ROOT, 'src'), full))
      .replace(/\.(c|m)?ts$/, '.$1js');
    if (own > mtime(out)) return full;
  }
  return null;
}

export function ensureDistCurrent(): void {
  const index = mtime(path.join(REPO_ROOT, 'dist', 'index.js'));
  const stale = index === 0 ? 'dist/' : staleSource(path.join(REPO_ROOT, 'src'), index);
  if (!stale) return;
  const why = index === 0 ? 'dist/ is missing' : `${path.relative(REPO_ROOT, stale)} is newer than its dist/ output`;
  console.log(`dispatch.pg.cold runs dist/ and ${why}: npm run build`);
  const t = Date.now();
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(
      `npm run build failed (exit ${result.status ?? result.signal}): the cold figure needs a current dist/`,
    );
  console.log(`built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
