import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from '../operator/support.js';

/**
 * `dispatchr enqueue --on-complete/--on-failure queue:/path` and `tasks show --response`
 * (docs/spec.md 11.4, 11.5), through the real CLI in database mode.
 */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('results and callbacks in the CLI on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver, {
      queues: {
        invoices: { target: 'http://127.0.0.1:9/invoices', allowPrivateNetwork: true, response: { maxBytes: 4096 } },
        receipts: { target: 'http://127.0.0.1:9/receipts', allowPrivateNetwork: true },
      },
    });
  });
  afterAll(async () => env?.cleanup());

  it('stores the callbacks given by flags, and tasks show prints them', async () => {
    const created = await env.cli([
      'enqueue',
      'invoices',
      '--path',
      '/charge',
      '--on-complete',
      'receipts:/send',
      '--on-failure',
      'receipts',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const task = taskResource.parse(json(created));
    expect(task.onComplete).toEqual({ queue: 'receipts', path: '/send' });
    expect(task.onFailure).toEqual({ queue: 'receipts', path: '' });
    expect((await env.tasks.findTask(task.id))!.onComplete).toEqual({ queue: 'receipts', path: '/send' });
    const shown = await env.cli(['tasks', 'show', task.id]);
    expect(shown.stdout).toMatch(/callbacks\s+on complete receipts:\/send; on failure receipts:\//);
  });

  it('refuses a malformed flag, an unknown queue and a path outside the target, writing nothing', async () => {
    const before = await env.tasks.countTasks({ queue: 'invoices' });
    const [empty, unknown, outside] = await Promise.all([
      env.cli(['enqueue', 'invoices', '--on-complete', ':/x']),
      env.cli(['enqueue', 'invoices', '--on-complete', 'nowhere:/x']),
      env.cli(['enqueue', 'invoices', '--on-failure', 'receipts:/../admin']),
    ]);
    expect(empty).toMatchObject({ code: 2, stderr: 'error: --on-complete: expected "queue:/path", got ":/x"\n' });
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^onComplete\.queue: expected a configured queue/),
    });
    expect(outside).toMatchObject({ code: 2, stderr: expect.stringMatching(/^onFailure\.path: /) });
    expect(await env.tasks.countTasks({ queue: 'invoices' })).toBe(before);
  });

  it('tasks show --response prints the stored result; --json answers it as the API does', async () => {
    const task = await env.seed('invoices');
    const pending = await env.cli(['tasks', 'show', task.id, '--response']);
    expect(pending.stdout).toContain('has not finished: no result yet');
    await env.settle(task, 'completed', 200);
    const p = driver === 'postgresql' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
    await env.db.sql.execute(
      `update dispatchr_task set result_body = ${p[0]}, result_content_type = ${p[1]} where id = ${p[2]}`,
      [Buffer.from('{"charged":true}\n\u001b[2Jgotcha'), 'application/json', task.id],
    );
    const shown = await env.cli(['tasks', 'show', task.id, '--response']);
    expect(shown.code, shown.stderr).toBe(0);
    // The target's bytes are text here, with the escape shown, not sent to the terminal.
    expect(shown.stdout).toBe('content-type: application/json, 27 bytes\n\n{"charged":true}\n\\x1b[2Jgotcha\n');
    const asJson = json(await env.cli(['tasks', 'show', task.id, '--response', '--json']));
    expect(asJson).toEqual({
      contentType: 'application/json',
      bodyBase64: Buffer.from('{"charged":true}\n\u001b[2Jgotcha').toString('base64'),
    });
  });
});
