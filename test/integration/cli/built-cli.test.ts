import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.js';

/**
 * `npm ci` runs the `prepare` script, which builds dist/: `npx dispatchr …` (bin/run.js, which loads
 * compiled commands only) must then offer every command of src/commands, and none that is gone.
 * This runs the same script (incremental after the first build) and the built binary.
 */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Command ids from the source tree: src/commands/tasks/list.ts → "tasks list". */
function sourceCommands(dir = path.join(ROOT, 'src/commands'), prefix: string[] = []): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceCommands(full, [...prefix, name]);
    return name.endsWith('.ts') ? [[...prefix, name.replace(/\.ts$/, '')].join(' ')] : [];
  });
}

describe('the built CLI (after npm ci)', () => {
  it('prepare builds dist/, removes compiled files whose source is gone, and bin/run.js offers every command', async () => {
    // A command deleted from src/ but still compiled in dist/: oclif would go on offering it.
    mkdirSync(path.join(ROOT, 'dist/commands/removed'), { recursive: true });
    const ghost = path.join(ROOT, 'dist/commands/removed/ghost.js');
    writeFileSync(ghost, 'export default class Ghost {}\n');

    const prepare = await run(['scripts/prepare.mjs']);
    expect(prepare.code, prepare.stdout + prepare.stderr).toBe(0);
    expect(existsSync(ghost)).toBe(false);

    const commands = sourceCommands();
    expect(commands.length).toBeGreaterThan(10);
    // Each topic's help lists its commands; the root help lists the rest.
    const topics = [...new Set(commands.filter((id) => id.includes(' ')).map((id) => id.split(' ')[0]))];
    const helps = await Promise.all([
      run(['bin/run.js', '--help']),
      ...topics.map((topic) => run(['bin/run.js', topic, '--help'])),
    ]);
    const listed = helps.map((help) => help.stdout).join('\n');
    for (const id of commands) expect(listed, id).toMatch(new RegExp(`^\\s+(dispatchr )?${id}\\s`, 'm'));
    expect(listed).not.toMatch(/removed|ghost/);

    const queues = await run(['bin/run.js', 'queues', 'list', '--help']);
    expect(queues.code).toBe(0);
    expect(queues.stdout).toContain('$ dispatchr queues list');
  }, 300_000);
});
