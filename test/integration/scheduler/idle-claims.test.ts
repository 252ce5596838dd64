import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import type { SqlPool, SqlSession } from '../../../src/db/sql-session.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { createSchedulerRegistry } from '../../../src/db/scheduler-registry.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

/**
 * What a scheduler with nothing it may claim asks the database, and when an idle one claims again.
 * The database is real; the scheduler's statements are only counted on their way to it.
 */
/** A claim on either database: the PostgreSQL function's call, or SQLite's UPDATE. */
const isClaim = (sql: string): boolean => /dispatchr_claim\(|set state = 'running'/.test(sql);

/** The same database, with the scheduler's claims counted on their way to it. */
function counting(db: Orm) {
  const counts = { claim: 0 };
  const count = (session: SqlSession): SqlSession => ({
    ...session,
    query: (sql, params) => (isClaim(sql) && counts.claim++, session.query(sql, params)),
    execute: (sql, params) => (isClaim(sql) && counts.claim++, session.execute(sql, params)),
  });
  const sql: SqlPool = {
    ...count(db.sql),
    transaction: (fn) => db.sql.transaction((tx) => fn(count(tx))),
    readWithin: (timeoutMs, fn) => db.sql.readWithin(timeoutMs, (session) => fn(count(session))),
    close: () => db.sql.close(),
  };
  return { db: { ...db, sql } as Orm, counts, reset: () => (counts.claim = 0) };
}

describe.each(drivers())('a scheduler with nothing to claim on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let scheduler: Scheduler | undefined;

  beforeAll(async () => {
    target = await startTargetServer({ '/flaky': (_req, res, n) => res.writeHead(n === 1 ? 500 : 200).end() });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await testDb?.cleanup();
  });

  const start = async (pollInterval: string, queue: string, retry?: Record<string, unknown>, maxConcurrent = 1000) => {
    const observed = counting(db);
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { leaseDuration: '10s', pollInterval, heartbeatInterval: '5s', shutdownTimeout: '1s', batchSize: 250 },
      // 1,000 in flight in batches of 250: four claim loops.
      queues: {
        [queue]: {
          target: target.url,
          allowPrivateNetwork: true,
          timeout: '1s',
          maxConcurrent,
          ...(retry ? { retry } : {}),
        },
      },
    });
    // One at a time: SQLite admits one scheduler per database.
    await scheduler?.stop({ timeoutMs: 1000 });
    scheduler = await createScheduler({ config, db: observed.db, logger: silentLogger, queues: [queue] });
    await scheduler.start();
    return observed;
  };

  it.runIf(driver === 'postgresql')(
    'does not spin while a due task waits for a slot another scheduler holds',
    async () => {
      // The queue admits 2; a live scheduler 'other' runs 2 of its tasks, and a third is due. Each
      // claim finds nothing although a task is due: this scheduler must look again after its poll
      // interval, not at once (it used to claim and read as fast as the database answered).
      const queue = 'held';
      await createTaskRepository(db).insertTasks([1, 2, 3].map(() => newTask(queue, { path: '/held' })));
      expect(
        await createDispatchRepository(db).claim({
          queue,
          limit: 2,
          owner: 'other',
          now: new Date(),
          leaseMs: 600_000,
          maxConcurrent: 2,
        }),
      ).toHaveLength(2);
      await createSchedulerRegistry(db).heartbeat({
        id: 'other',
        queues: [queue],
        startedAt: new Date(),
        at: new Date(Date.now() + 3_600_000),
      });
      const observed = await start('500ms', queue, undefined, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      observed.reset();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Two claim loops, a poll interval of 500 ms: about four claims in the second, and a read of
      // the next due time after each.
      expect(observed.counts.claim).toBeGreaterThanOrEqual(1);
      expect(observed.counts.claim).toBeLessThanOrEqual(10);
      expect(target.for('/held')).toHaveLength(0);
    },
  );

  it('sends a retry after its backoff, not after the poll interval', async () => {
    // A poll interval of 5 s and a backoff of 200 ms: a retry due later sends no NOTIFY, so the loop
    // that settled it must read its due time and sleep until then, not for the poll interval.
    await start('5s', 'retries', { strategy: 'fixed', options: { delay: '200ms' }, maxAttempts: 3 });
    const [task] = await createTaskRepository(db).insertTasks([newTask('retries', { path: '/flaky' })]);
    const [first, second] = await waitFor(
      async () => (target.for('/flaky').length >= 2 ? target.for('/flaky') : undefined),
      10_000,
      'the retry',
    );
    const gapMs = second.at - first.at;
    expect(gapMs).toBeGreaterThanOrEqual(190);
    expect(gapMs).toBeLessThan(2_000);
    await waitFor(
      async () => ((await createTaskRepository(db).findTask(task.task.id))?.state === 'completed' ? true : undefined),
      5_000,
      'completed',
    );
  });
});
