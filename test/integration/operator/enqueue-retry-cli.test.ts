import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from './support.js';

/**
 * `dispatchr enqueue --retry-max-duration --retry-option name=value` (spec 11.3): the task's own
 * retry settings, checked by the queue's strategy as the API checks them, and shown by `tasks show`.
 */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr enqueue with retry settings on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver, {
      queues: {
        emails: {
          target: 'http://127.0.0.1:9/tasks',
          allowPrivateNetwork: true,
          retry: { strategy: 'exponential', maxRetryDuration: '1h' },
        },
      },
    });
  });
  afterAll(async () => env?.cleanup());

  it('stores the settings, typed, and tasks show prints them', async () => {
    const created = await env.cli([
      'enqueue',
      'emails',
      '--retry-max-duration',
      '10m',
      '--retry-option',
      'initialDelay=100ms',
      '--retry-option',
      'factor=3',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const task = taskResource.parse(json(created));
    expect(task.retry).toEqual({ maxRetryDurationMs: 600_000, options: { initialDelay: '100ms', factor: 3 } });
    const stored = await env.tasks.findTask(task.id);
    expect(JSON.parse(stored!.retry!)).toEqual(task.retry);

    const shown = await env.cli(['tasks', 'show', task.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/retry\s+max duration 10m, options \{"initialDelay":"100ms","factor":3\}/);
  });

  it("refuses what the queue's strategy refuses, naming the field, and writes nothing", async () => {
    const before = await env.tasks.countTasks({ queue: 'emails' });
    const [badOption, tooLong, badFlag] = await Promise.all([
      env.cli(['enqueue', 'emails', '--retry-option', 'factor=0.5', '--retry-option', 'base=2']),
      env.cli(['enqueue', 'emails', '--retry-max-duration', '2h']),
      env.cli(['enqueue', 'emails', '--retry-option', 'factor']),
    ]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr.trim().split('\n').sort()).toEqual([
      expect.stringMatching(/^retry\.options\.base: unknown option/),
      expect.stringMatching(/^retry\.options\.factor: expected a number >= 1/),
    ]);
    expect(tooLong).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^retry\.maxRetryDuration: expected at most 1h/),
    });
    expect(badFlag).toMatchObject({ code: 2, stderr: 'error: --retry-option: expected "name=value", got "factor"\n' });
    expect(await env.tasks.countTasks({ queue: 'emails' })).toBe(before);
  });
});
