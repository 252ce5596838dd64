import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../support/cli.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from './support.js';

/**
 * `dispatchr tasks retry --state failed [--queue] [--since]`: the count, the confirmation (refused
 * without a terminal unless --yes), --dry-run, and, under a real pseudo-terminal, the question and
 * the progress bar.
 */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr tasks retry (bulk) on %s', (driver) => {
  let env: OperatorEnv;
  const failedIds: string[] = [];
  beforeAll(async () => {
    env = await startOperatorEnv(driver);
    for (let i = 0; i < 4; i++) {
      const task = await env.seed('emails', { path: `/bulk/${i}` });
      await env.settle(task, 'failed', 500);
      failedIds.push(task.id);
    }
    const other = await env.seed('reports', { path: '/bulk/other' });
    await env.settle(other, 'failed', 400);
  });
  afterAll(async () => env?.cleanup());

  const failedCount = () => env.tasks.countTasks({ queue: 'emails', states: ['failed'] });

  it('refuses without a terminal and without --yes (exit 2), changing nothing', async () => {
    const result = await env.cli(['tasks', 'retry', '--queue', 'emails', '--state', 'failed']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: Retry 4 failed tasks of queue emails: not confirmed; pass --yes to run without a terminal\n',
    );
    expect(await failedCount()).toBe(4);
  });

  it('counts with --dry-run, and refuses states that cannot be retried', async () => {
    const [dry, dryJson, wrongState, noState] = await Promise.all([
      env.cli(['tasks', 'retry', '--queue', 'emails', '--state', 'failed', '--dry-run']),
      env.cli(['tasks', 'retry', '--state', 'failed', '--dry-run', '--json']),
      env.cli(['tasks', 'retry', '--state', 'completed', '--yes']),
      env.cli(['tasks', 'retry', '--queue', 'emails', '--yes']),
    ]);
    expect(dry).toMatchObject({
      code: 0,
      stdout: '4 failed tasks of queue emails match; nothing was changed (dry run)\n',
    });
    expect(json(dryJson)).toEqual({ matched: 5, retried: 0 });
    expect(wrongState).toMatchObject({
      code: 2,
      stderr: 'error: --state: only failed and cancelled tasks can be retried, not completed\n',
    });
    expect(noState.code).toBe(2);
    expect(await failedCount()).toBe(4);
  });

  it('retries the matching tasks with --yes and prints the count', async () => {
    const none = await env.cli([
      'tasks',
      'retry',
      '--queue',
      'emails',
      '--state',
      'failed',
      '--since',
      '2000-01-01',
      '--until',
      '2000-01-02',
      '--yes',
    ]);
    expect(none).toMatchObject({ code: 0, stdout: 'no failed tasks of queue emails match; nothing to retry\n' });
    const result = await env.cli([
      'tasks',
      'retry',
      '--queue',
      'emails',
      '--state',
      'failed',
      '--since',
      '1h',
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(json(result)).toEqual({ matched: 4, retried: 4 });
    for (const id of failedIds) expect(await env.stateOf(id)).toBe('available');
    expect(await env.tasks.countTasks({ queue: 'reports', states: ['failed'] })).toBe(1); // outside the filter
  });

  // `script` gives the CLI a pseudo-terminal, as an operator's shell would.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.runIf(hasScript)('asks on a terminal and draws the progress bar there', async () => {
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const command = `node ${ROOT}bin/dev.js tasks retry --queue reports --state failed --config ${env.configFile}`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        cwd: ROOT,
        env: { ...process.env, NODE_NO_WARNINGS: '1', DISPATCHR_URL: '' },
      });
      let text = '';
      let answered = false;
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (!answered && text.includes('[y/N]')) {
          answered = true;
          child.stdin.write('y\n');
        }
      });
      child.on('close', (code) => resolve({ code, text }));
    });
    expect(output.code).toBe(0);
    expect(output.text).toContain('Retry 1 failed task of queue reports? [y/N]');
    expect(output.text).toMatch(/retried 1\/1 \[#{30}\] 100%/);
    expect(output.text).toContain('retried 1 failed task of queue reports');
    expect(await env.tasks.countTasks({ queue: 'reports', states: ['failed'] })).toBe(0);
  });
});
