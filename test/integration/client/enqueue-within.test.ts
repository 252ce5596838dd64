import type { EntityManager } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueWithin,
  type EnqueueWithinResult,
  type SqlTransaction,
  type TaskInput,
} from '../../../src/client/index.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { postgresAvailable } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from './pg-support.js';

/**
 * enqueueWithin inside real PostgreSQL transactions opened by pg, knex and MikroORM: a commit leaves
 * the task (exactly as the recorder would have stored it) and notifies at commit; a rollback leaves
 * nothing; a handle outside a transaction is refused; a failed write leaves the app's transaction
 * usable.
 */
class Rollback extends Error {}

/** Runs `work` in a transaction of one library, then commits or rolls back. */
interface Library {
  name: string;
  transaction(
    commit: boolean,
    work: (tx: SqlTransaction) => Promise<EnqueueWithinResult[]>,
  ): Promise<EnqueueWithinResult[]>;
}

describe.runIf(postgresAvailable())('enqueueWithin on PostgreSQL', () => {
  let app: AppDatabase;
  let tasks: TaskRepository;

  beforeAll(async () => {
    app = await openAppDatabase();
    tasks = createTaskRepository(app.db);
  });
  afterAll(async () => app?.close());

  const libraries: Library[] = [
    {
      name: 'a pg client inside BEGIN',
      async transaction(commit, work) {
        const client = await app.pgClient();
        await client.query('begin');
        const results = await work(client);
        await client.query(commit ? 'commit' : 'rollback');
        return results;
      },
    },
    {
      name: 'a pg PoolClient inside BEGIN',
      async transaction(commit, work) {
        const client = await app.pool.connect();
        try {
          await client.query('begin');
          const results = await work(client);
          await client.query(commit ? 'commit' : 'rollback');
          return results;
        } finally {
          client.release();
        }
      },
    },
    {
      name: 'a knex transaction',
      async transaction(commit, work) {
        let results: EnqueueWithinResult[] = [];
        await app.knex
          .transaction(async (trx) => {
            results = await work(trx);
            if (!commit) throw new Rollback();
          })
          .catch((error: unknown) => {
            if (!(error instanceof Rollback)) throw error;
          });
        return results;
      },
    },
    {
      name: 'a MikroORM EntityManager in transactional()',
      async transaction(commit, work) {
        let results: EnqueueWithinResult[] = [];
        await (
          await app.db.orm()
        ).em
          .fork()
          .transactional(async (em: EntityManager) => {
            results = await work(em);
            if (!commit) throw new Rollback();
          })
          .catch((error: unknown) => {
            if (!(error instanceof Rollback)) throw error;
          });
        return results;
      },
    },
  ];

  describe.each(libraries)('with $name', (library) => {
    const task: TaskInput = {
      path: '/welcome',
      body: { to: 'a@example.com' },
      headers: { 'X-Tenant': 'acme' },
      maxAttempts: 4,
      timeout: '20s',
    };

    it('commit: the task exists, stored as the recorder stores it', async () => {
      const [result] = await library.transaction(true, async (tx) => [await enqueueWithin(tx, 'emails', task)]);
      expect(result.deduplicated).toBe(false);
      const stored = await tasks.findTask(result.id);
      expect(stored).toMatchObject({
        queue: 'emails',
        state: 'available',
        path: '/welcome',
        method: 'POST',
        headers: { 'x-tenant': 'acme' },
        contentType: 'application/json',
        attempt: 0,
        maxAttempts: 4,
        timeoutMs: 20_000,
        key: null,
      });
      expect(stored!.body!.toString('utf8')).toBe('{"to":"a@example.com"}');
      // Stamped with the database's clock, and no time zone lost on the way (MikroORM inlines values).
      expect(stored!.runAt.getTime()).toBe(stored!.createdAt.getTime());
      expect(Math.abs(stored!.runAt.getTime() - Date.now())).toBeLessThan(30_000);
      const [{ body_json: bodyJson }] = (
        await app.pool.query('select body_json from dispatchr_task where id = $1', [result.id])
      ).rows;
      expect(bodyJson).toEqual({ to: 'a@example.com' }); // the jsonb copy the recorder's search reads
    });

    it('rollback: no task', async () => {
      const before = await tasks.countTasks({ queue: 'emails' });
      const [result] = await library.transaction(false, async (tx) => [
        await enqueueWithin(tx, 'emails', { path: '/never' }),
      ]);
      expect(await tasks.findTask(result.id)).toBeNull();
      expect(await tasks.countTasks({ queue: 'emails' })).toBe(before);
    });

    it('de-duplicates on key inside one transaction, and schedules delayed tasks', async () => {
      const key = `once-${library.name}`;
      const [first, second, later] = await library.transaction(true, async (tx) => [
        await enqueueWithin(tx, 'emails', { path: '/once', key }),
        await enqueueWithin(tx, 'emails', { path: '/once', key }),
        await enqueueWithin(tx, 'emails', { path: '/later', delay: '10m' }),
      ]);
      expect(second).toEqual({ id: first.id, deduplicated: 'kept' });
      expect(
        (await app.pool.query('select count(*)::int as n from dispatchr_task where dedup_key = $1', [key])).rows[0].n,
      ).toBe(1);
      const scheduled = (await tasks.findTask(later.id))!;
      expect(scheduled.state).toBe('scheduled');
      expect(Math.abs(scheduled.runAt.getTime() - (Date.now() + 600_000))).toBeLessThan(30_000);
    });
  });

  it('notifies dispatchr_due at commit, not before, however long the transaction ran first', async () => {
    const listener = await app.pgClient();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query('listen dispatchr_due');
    const client = await app.pgClient();
    await client.query('begin');
    // The trigger notifies for run_at <= now(), the transaction's start: a task stamped with the
    // app's clock after this pause would be "not yet due" to it, and no scheduler would wake.
    await client.query('select pg_sleep(0.2)');
    await enqueueWithin(client, 'notified', { path: '/x' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).not.toContain('notified');
    await client.query('commit');
    await expect.poll(() => heard, { timeout: 2_000 }).toContain('notified');
  });

  it('refuses handles that are not inside a transaction, writing nothing', async () => {
    const before = await tasks.countTasks({});
    const client = await app.pgClient();
    await expect(enqueueWithin(client, 'emails', {})).rejects.toMatchObject({ code: 'not_in_transaction' });
    await expect(enqueueWithin(app.pool, 'emails', {})).rejects.toMatchObject({ code: 'not_in_transaction' });
    await expect(enqueueWithin(app.knex, 'emails', {})).rejects.toMatchObject({ code: 'not_in_transaction' });
    await expect(enqueueWithin((await app.db.orm()).em.fork(), 'emails', {})).rejects.toMatchObject({
      code: 'not_in_transaction',
    });
    expect(await tasks.countTasks({})).toBe(before);
  });

  it('a failed write leaves the app transaction usable; a refused task never reaches the database', async () => {
    const client = await app.pgClient();
    await client.query('begin');
    await client.query('create temporary table app_orders (id int)');
    await client.query('insert into app_orders values (1)');
    await client.query('set local search_path to pg_catalog'); // no dispatchr_task here
    await expect(enqueueWithin(client, 'emails', {})).rejects.toMatchObject({
      code: 'enqueue_failed',
      message: expect.stringContaining('dispatchr_task'),
    });
    await expect(enqueueWithin(client, 'emails', { path: '/../x' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await client.query(`set local search_path to "${app.schema}"`);
    const { id } = await enqueueWithin(client, 'emails', { path: '/after-a-failure' });
    expect((await client.query('select count(*)::int as n from app_orders')).rows[0].n).toBe(1);
    await client.query('commit');
    expect((await tasks.findTask(id))!.path).toBe('/after-a-failure');
  });

  it('refuses a queue outside the allowlist', async () => {
    const client = await app.pgClient();
    await client.query('begin');
    await expect(enqueueWithin(client, 'emials', {}, { queues: ['emails'] })).rejects.toMatchObject({
      code: 'queue_not_found',
    });
    await client.query('rollback');
  });
});
