#!/usr/bin/env node
/**
 * `npm ci` and `npm install` run this (the `prepare` script), so `npx dispatchr …` works right after
 * an install: bin/run.js loads its commands from dist/. Plain JavaScript, because it runs before
 * anything is compiled.
 *
 * - Incremental: the build info lives in dist/, so a second install recompiles only what changed,
 *   and deleting dist/ always means a full build (a build info outliving its outputs would make tsc
 *   skip them).
 * - No ghosts: a compiled file whose source is gone is removed, or oclif would still offer a
 *   command that was renamed or deleted.
 * - Without TypeScript (an install with --omit=dev) there is nothing to build with: say so and
 *   succeed, so such an install is not broken by a step it cannot run.
 * - Then the dashboard (ui/, built by Vite into dist/ui, which the recorder serves at /ui/), so
 *   `npm ci && npm start` serves it with no extra step. Without Vite, the same: say so and succeed.
 *   dist/ui has no sources in src/, so the orphan sweep leaves it alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const distUi = path.join(dist, 'ui');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.warn(
    'dispatchr: typescript is not installed (devDependencies omitted?), so dist/ was not built; run `npm run build` where it is.',
  );
  process.exit(0);
}

const build = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', path.join(dist, '.tsbuildinfo')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

/** dist/a/b.js, .d.ts, .js.map and .d.ts.map all come from src/a/b.ts. */
const sourceOf = (file) => path.join(src, path.relative(dist, file).replace(/(\.d)?\.(js|ts)(\.map)?$/, '.ts'));

function removeOrphans(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (full === distUi) continue; // the dashboard, built by Vite from ui/
    if (statSync(full).isDirectory()) {
      removeOrphans(full);
      if (readdirSync(full).length === 0) rmSync(full, { recursive: true });
    } else if (/\.(js|d\.ts)(\.map)?$/.test(name) && !existsSync(sourceOf(full))) {
      rmSync(full);
    }
  }
}
// Even after a failed build: the files tsc did write must not sit beside ones from deleted sources.
if (existsSync(dist)) removeOrphans(dist);
if (build.status !== 0) process.exit(build.status ?? 1);

let vite;
try {
  const require = createRequire(import.meta.url);
  const manifest = require('vite/package.json');
  vite = path.join(path.dirname(require.resolve('vite/package.json')), manifest.bin.vite ?? manifest.bin);
} catch {
  console.warn(
    'dispatchr: vite is not installed (devDependencies omitted?), so the dashboard (dist/ui) was not built; run `npm run build:ui` where it is.',
  );
  process.exit(0);
}
const ui = spawnSync(
  process.execPath,
  [vite, 'build', '--config', path.join('ui', 'vite.config.ts'), '--logLevel', 'warn'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(ui.status ?? 1);
