import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DispatchrApiError,
  DispatchrClient,
  DispatchrValidationError,
  enqueueWithin,
} from '../../../src/client/index.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { drivers } from '../../support/databases.js';
import { postgresAvailable } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';
import { startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';

/**
 * Key modes from an application: the SDK's answers (`deduplicated`), findByKey and cancelByKey over
 * HTTP on both databases, and enqueueWithin's keyMode, keyMaxWait and keyRetention inside an app's
 * own PostgreSQL transaction, which must answer what the recorder does.
 */
describe.each(drivers())('the client with key modes on %s', (driver) => {
  let recorder: TestRecorder;
  let client: DispatchrClient;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { tokens: [TOKEN] } });
    client = new DispatchrClient({ url: recorder.url, token: TOKEN, retryDelayMs: 10 });
  });
  afterAll(async () => recorder.close());

  it('answers deduplicated as false, kept, replaced or debounced, single and batched', async () => {
    const first = await client.enqueue('emails', { key: 'c-1', keyMode: 'replace', body: { n: 1 } });
    const replaced = await client.enqueue('emails', { key: 'c-1', keyMode: 'replace', body: { n: 2 } });
    const kept = await client.enqueue('emails', { key: 'c-1', body: { n: 3 } });
    const debounced = await client.enqueue('emails', { key: 'c-1', keyMode: 'debounce', delay: '1m' });
    expect([first, replaced, kept, debounced].map((t) => [t.id, t.deduplicated])).toEqual([
      [first.id, false],
      [first.id, 'replaced'],
      [first.id, 'kept'],
      [first.id, 'debounced'],
    ]);
    expect(kept).toMatchObject({ body: { n: 2 }, keyMode: 'replace', state: 'available' });
    expect(debounced).toMatchObject({ body: { n: 2 }, state: 'scheduled' });
    const batch = await client.enqueueMany('emails', [{ key: 'c-1' }, { key: 'c-2', keyRetention: '1h' }]);
    expect(batch.map((t) => t.deduplicated)).toEqual(['kept', false]);
    expect(batch[1].keyRetentionMs).toBe(3_600_000);
  });

  it('finds and cancels by key, a key with any characters included', async () => {
    const key = 'order/42?x=1 #ü';
    const task = await client.enqueue('emails', { key, delay: '1h' });
    expect(await client.findByKey('emails', key)).toMatchObject({ id: task.id, key, state: 'scheduled' });
    expect(await client.cancelByKey('emails', key)).toMatchObject({ id: task.id, state: 'cancelled' });
    const missing = await client.findByKey('emails', key).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(DispatchrApiError);
    expect(missing).toMatchObject({ status: 404, code: 'task_not_found' });
  });
});

describe.runIf(postgresAvailable())('enqueueWithin with key modes on PostgreSQL', () => {
  let app: AppDatabase;
  let tasks: TaskRepository;
  beforeAll(async () => {
    app = await openAppDatabase();
    tasks = createTaskRepository(app.db);
  });
  afterAll(async () => app?.close());

  /** Each call in a transaction of its own, committed. */
  async function within(input: Parameters<typeof enqueueWithin>[2], now?: Date) {
    const client = await app.pool.connect();
    try {
      await client.query('begin');
      const result = await enqueueWithin(client, 'emails', input, now ? { now } : {});
      await client.query('commit');
      return result;
    } finally {
      client.release();
    }
  }

  it('replaces and debounces a holder never delivered, within keyMaxWait', async () => {
    const first = await within({ key: 'w-1', keyMode: 'debounce', keyMaxWait: '5m', body: { n: 1 }, delay: '1m' });
    expect(first.deduplicated).toBe(false);
    const held = (await tasks.findTask(first.id))!;
    expect(held.keyDeadline!.getTime()).toBe(held.createdAt.getTime() + 300_000);

    const debounced = await within({ key: 'w-1', keyMode: 'debounce', body: { n: 2 }, delay: '1h' });
    expect(debounced).toEqual({ id: first.id, deduplicated: 'debounced' });
    const postponed = (await tasks.findTask(first.id))!;
    expect(postponed.runAt.getTime()).toBe(held.keyDeadline!.getTime());
    expect(postponed.body!.toString()).toBe('{"n":1}');

    const replaced = await within({ key: 'w-1', keyMode: 'replace', path: '/new', body: { n: 3 } });
    expect(replaced).toEqual({ id: first.id, deduplicated: 'replaced' });
    expect(await tasks.findTask(first.id)).toMatchObject({ path: '/new', state: 'available' });
    expect((await tasks.findTask(first.id))!.body!.toString()).toBe('{"n":3}');
  });

  it('keeps a finished holder for keyRetention, then releases it', async () => {
    const first = await within({ key: 'w-2', keyRetention: '10m' });
    const cancelled = await tasks.applyEvent(first.id, { type: 'cancel' });
    const finishedAt = cancelled.finalizedAt!.getTime();
    expect(await within({ key: 'w-2' }, new Date(finishedAt + 599_000))).toEqual({
      id: first.id,
      deduplicated: 'kept',
    });
    const after = await within({ key: 'w-2' }, new Date(finishedAt + 600_000));
    expect(after.deduplicated).toBe(false);
    expect(after.id).not.toBe(first.id);
  });

  it('refuses key options it can check, naming the field', async () => {
    for (const [input, path] of [
      [{ keyMode: 'replace' }, 'keyMode'],
      [{ key: 'k', keyMaxWait: '1m' }, 'keyMaxWait'],
      [{ key: 'k', keyRetention: '30d' }, 'keyRetention'],
      [{ key: 'k', keyMode: 'sometimes' }, 'keyMode'],
    ] as const) {
      const error = await within(input as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(DispatchrValidationError);
      expect((error as DispatchrValidationError).errors.map((e) => e.path)).toContain(path);
    }
  });
});
