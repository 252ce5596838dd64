import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskListResponse, taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import type { TaskRecord } from '../../../src/task.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from './support.js';

/**
 * `dispatchr tasks list|show|cancel|run|retry` as child processes against a real database from
 * --config: the table, the --json documents (parsed with the API's own schemas), and exit codes.
 */
// Every CLI call is a whole process (oclif + tsx): generous time on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr tasks on %s', (driver) => {
  let env: OperatorEnv;
  let failed: TaskRecord;
  let retrying: TaskRecord;
  let later: TaskRecord;
  let secret: TaskRecord;

  beforeAll(async () => {
    env = await startOperatorEnv(driver);
    failed = await env.seed('emails', { path: '/welcome', body: Buffer.from('{"user":"user-42","plan":"gold"}') });
    await env.settle(failed, 'failed', 400);
    retrying = await env.seed('emails', { path: '/digest' });
    await env.settle(retrying, 'retryable', 503, new Date(Date.now() + 3_600_000));
    later = await env.seed('reports', {
      path: '/monthly/2026',
      runAt: new Date(Date.now() + 600_000),
      headers: { 'x-tenant': 'acme' },
    });
    secret = await env.seed('reports', {
      path: '/private',
      headers: { authorization: 'Bearer sk-live-needle', 'x-api-key': 'needle-key' },
    });
  });
  afterAll(async () => env?.cleanup());

  it('lists every queue newest first as a table, and as the API page with --json', async () => {
    const table = await env.cli(['tasks', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+QUEUE\s+STATE\s+ATTEMPT\s+PATH\s+RUN AT\s+CREATED\s+LAST$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([secret.id, later.id, retrying.id, failed.id]);
    expect(table.stdout).toMatch(new RegExp(`${failed.id}\\s+emails\\s+failed\\s+1\\s+/welcome\\s.*\\s400$`, 'm'));

    const page = taskListResponse.parse(json(await env.cli(['tasks', 'list', '--json'])));
    expect(page.tasks.map((t) => t.id)).toEqual([secret.id, later.id, retrying.id, failed.id]);
    expect(page.nextCursor).toBeNull();
    // The basic view (spec 4.11): a list prints no headers or bodies; `tasks show` reads them.
    expect(page.tasks[0]).not.toHaveProperty('headers');
    expect(taskResource.parse(json(await env.cli(['tasks', 'show', secret.id, '--json']))).headers).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
    });
  });

  it('filters by queue, state, path prefix, creation time and text, in the database', async () => {
    const ids = async (...args: string[]) =>
      json(await env.cli(['tasks', 'list', '--json', ...args])).tasks.map((t: { id: string }) => t.id);
    // Independent reads, run side by side: each is a whole CLI process.
    const [byQueue, byStates, byRepeated, byPath, inBody, inHeaderValue, inHeaderName, inSecret, recent, old] =
      await Promise.all([
        ids('--queue', 'emails'),
        ids('--state', 'failed,scheduled'),
        ids('--state', 'retryable', '--state', 'failed'),
        ids('--path', '/monthly/'),
        ids('--search', 'USER-42'),
        ids('--search', 'acme'),
        ids('--search', 'x-api'),
        ids('--search', 'needle'),
        ids('--since', '1h', '--queue', 'reports'),
        ids('--until', '2000-01-01'),
      ]);
    expect(byQueue).toEqual([retrying.id, failed.id]);
    expect(byStates).toEqual([later.id, failed.id]);
    expect(byRepeated).toEqual([retrying.id, failed.id]);
    expect(byPath).toEqual([later.id]);
    expect(inBody).toEqual([failed.id]); // case-insensitive, in the body
    expect(inHeaderValue).toEqual([later.id]);
    expect(inHeaderName).toEqual([secret.id]);
    expect(inSecret).toEqual([]); // sensitive header values are never searched
    expect(recent).toEqual([secret.id, later.id]);
    expect(old).toEqual([]);
  });

  it('pages with --limit and the printed cursor', async () => {
    const first = await env.cli(['tasks', 'list', '--limit', '3']);
    const cursor = /more: --cursor (\S+)/.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const rest = json(await env.cli(['tasks', 'list', '--limit', '3', '--cursor', cursor!, '--json']));
    expect(rest).toEqual({ tasks: [expect.objectContaining({ id: failed.id })], nextCursor: null });
  });

  it('shows a task with every attempt and why it waits', async () => {
    const shown = await env.cli(['tasks', 'show', retrying.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^state\s+retryable$/m);
    expect(shown.stdout).toMatch(
      /^waiting\s+backing off after attempt 1, which got status 503; next attempt at .* \(backing-off\)$/m,
    );
    expect(shown.stdout).toMatch(
      /^attempts\n#\s+STARTED\s+FINISHED\s+STATUS\s+OUTCOME\s+MS\s+ERROR\n\s*1\s+\S+\s+\S+\s+503\s+retry\s+5\s+HTTP 503$/m,
    );

    const doc = taskResource.parse(json(await env.cli(['tasks', 'show', retrying.id, '--json'])));
    expect(doc.waiting?.code).toBe('backing-off');
    expect(doc.attempts).toHaveLength(1);
    expect(taskResource.parse(json(await env.cli(['tasks', 'show', later.id, '--json']))).waiting?.code).toBe(
      'scheduled',
    );
    expect(taskResource.parse(json(await env.cli(['tasks', 'show', failed.id, '--json']))).waiting).toBeNull(); // finished: not waiting
  });

  it('cancels, runs and retries one task; refusals exit 1 and name the state', async () => {
    const ran = await env.cli(['tasks', 'run', later.id]);
    expect(ran).toMatchObject({ code: 0, stdout: `queued task ${later.id}: now available, due now\n` });
    const cancelled = json(await env.cli(['tasks', 'cancel', later.id, '--json']));
    expect(cancelled).toMatchObject({ id: later.id, state: 'cancelled' });
    const again = await env.cli(['tasks', 'cancel', later.id]);
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'error: a cancelled task cannot take "cancel"\n' });
    expect((await env.cli(['tasks', 'retry', later.id])).stdout).toBe(
      `retried task ${later.id}: now available, due now\n`,
    );
    expect(await env.stateOf(later.id)).toBe('available');
  });

  it('exits 1 for an unknown task and 2 for usage errors, with one line on stderr', async () => {
    const unknown = await env.cli(['tasks', 'show', '01900000-0000-7000-8000-000000000000']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: no task 01900000-0000-7000-8000-000000000000\n' });
    const usage = [
      ['tasks', 'list', '--state', 'done'],
      ['tasks', 'list', '--since', 'last tuesday'],
      ['tasks', 'list', '--limit', '0'],
      ['tasks', 'list', '--cursor', 'not-ours'],
      ['tasks', 'list', '--bogus'],
      ['tasks', 'show'],
      ['tasks', 'retry', failed.id, '--state', 'failed'],
      ['tasks', 'list', '--url', 'http://127.0.0.1:1'],
    ];
    const results = await Promise.all(usage.map((args) => env.cli(args)));
    usage.forEach((args, i) => {
      expect(results[i].code, args.join(' ')).toBe(2);
      expect(results[i].stdout, args.join(' ')).toBe('');
      expect(results[i].stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    });
    const queue = await env.cli(['tasks', 'list', '--queue', 'nope']);
    expect(queue).toMatchObject({ code: 1, stderr: 'error: no queue "nope" is configured\n' });
  });
});
