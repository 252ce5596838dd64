import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/cli.js';

/**
 * Mutants of Dispatchr for the conformance kit's own tests: a copy of the compiled package (tsc
 * output of the current sources, bin/, package.json, config/ and a node_modules link) with one
 * string replaced in one compiled file. Each replacement must match exactly once, so a refactor
 * that moves the code makes the build fail instead of silently testing an unchanged copy.
 */
export interface Mutation {
  /** The compiled file, relative to dist/. */
  file: string;
  search: string;
  replace: string;
}

/** Compiles the current sources into `dir` and lays out a runnable package around them. */
export async function buildPackage(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Emit only: the type check is the typecheck script's job, and skipping it (with no declarations
  // or source maps) cuts the build from over a minute to seconds. isolatedModules makes that safe.
  const result = await run(process.execPath, [
    tsc,
    '-p',
    'tsconfig.json',
    '--outDir',
    path.join(dir, 'dist'),
    '--noCheck',
    '--declaration',
    'false',
    '--sourceMap',
    'false',
  ]);
  // A missing file below fails the build clearly.
  for (const needed of ['dist/commands/schedule.js', 'dist/conformance/cli.js', 'dist/workers/dispatch.worker.js']) {
    if (!existsSync(path.join(dir, needed)))
      throw new Error(`tsc did not produce ${needed} (exit ${result.code}):\n${result.output.slice(-2000)}`);
  }
  for (const part of ['bin', 'config', 'package.json'])
    cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

/** A copy of the built package (small: the node_modules link is copied as a link, not followed). */
export function copyPackage(base: string, dir: string): void {
  cpSync(base, dir, { recursive: true, verbatimSymlinks: true });
}

/** A copy of the built package at `dir` with `mutation` applied. */
export function mutantOf(base: string, dir: string, mutation: Mutation): void {
  copyPackage(base, dir);
  const file = path.join(dir, 'dist', mutation.file);
  const text = readFileSync(file, 'utf8');
  const found = text.split(mutation.search).length - 1;
  if (found !== 1)
    throw new Error(`mutation of ${mutation.file}: expected the search text exactly once, found it ${found} times`);
  writeFileSync(
    file,
    text.replace(mutation.search, () => mutation.replace),
  );
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
