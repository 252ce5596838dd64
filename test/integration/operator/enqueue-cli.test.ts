import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from './support.js';

/** `dispatchr enqueue QUEUE --path --body --delay --key --header`: the create API's rules, from --config. */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr enqueue on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver);
  });
  afterAll(async () => env?.cleanup());

  it('creates a task with body, headers, delay and key; a second create with the key is de-duplicated', async () => {
    const args = [
      'enqueue',
      'emails',
      '--path',
      '/welcome',
      '--body',
      '{"user":42}',
      '--delay',
      '10m',
      '--key',
      'welcome:42',
      '-H',
      'x-tenant: acme',
      '-H',
      'Authorization: Bearer s3cret',
    ];
    const created = await env.cli([...args, '--json']);
    expect(created.code).toBe(0);
    const task = taskResource.parse(json(created));
    expect(task).toMatchObject({
      queue: 'emails',
      state: 'scheduled',
      path: '/welcome',
      body: { user: 42 },
      key: 'welcome:42',
      deduplicated: false,
    });
    expect(task.headers).toEqual({ 'x-tenant': 'acme', authorization: '[redacted]' });
    // Due 10 minutes after the command read the clock (createdAt is stamped a moment later, at insert).
    const dueIn = Date.parse(task.runAt) - Date.parse(task.createdAt);
    expect(dueIn).toBeGreaterThan(595_000);
    expect(dueIn).toBeLessThanOrEqual(600_000);
    const stored = await env.tasks.findTask(task.id);
    expect(stored?.headers.authorization).toBe('Bearer s3cret'); // stored and sent as given, shown redacted

    const again = await env.cli(args);
    expect(again).toMatchObject({
      code: 0,
      stdout: `deduplicated (kept): task ${task.id} (scheduled) holds key "welcome:42"; nothing new was made\n`,
    });
    expect(await env.tasks.countTasks({ queue: 'emails' })).toBe(1);
  });

  it('reads the body from a file and prints one line', async () => {
    const file = path.join(env.dir, 'body.json');
    writeFileSync(file, JSON.stringify({ report: 'monthly' }));
    const result = await env.cli(['enqueue', 'reports', '--body', `@${file}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^enqueued task [0-9a-f-]{36} in queue reports: available\n$/);
    const [listed] = (await env.tasks.listTasks({ queue: 'reports', limit: 1 })).tasks;
    const task = await env.tasks.findTask(listed.id); // lists read no bodies
    expect(JSON.parse(task!.body!.toString())).toEqual({ report: 'monthly' });
  });

  it('refuses what the API refuses (exit 2, the field named) and an unknown queue (exit 1)', async () => {
    const [escape, badJson, badHeader, reserved, unknown] = await Promise.all([
      env.cli(['enqueue', 'emails', '--path', '/../admin']),
      env.cli(['enqueue', 'emails', '--body', '{nope']),
      env.cli(['enqueue', 'emails', '--header', 'no-colon']),
      env.cli(['enqueue', 'emails', '--header', 'webhook-id: x', '--delay', '2y']),
      env.cli(['enqueue', 'nope']),
    ]);
    expect(escape.code).toBe(2);
    expect(escape.stderr).toMatch(/^path: /);
    expect(badJson).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --body: expected JSON/) });
    expect(badHeader).toMatchObject({ code: 2, stderr: 'error: --header: expected "name: value", got "no-colon"\n' });
    expect(reserved.code).toBe(2);
    expect(reserved.stderr.trim().split('\n').sort()).toEqual([
      expect.stringMatching(/^delay: /),
      expect.stringMatching(/^headers\.webhook-id: /),
    ]);
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: no queue "nope" is configured\n' });
    expect(await env.tasks.countTasks({ queue: 'emails' })).toBe(1);
  });
});
