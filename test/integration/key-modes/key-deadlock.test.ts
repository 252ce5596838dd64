import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { postgresAvailable } from '../../support/postgres.js';

/**
 * Two batches that lock the same keys in opposite orders deadlock on PostgreSQL: keep rows go in
 * one bulk statement first, replace rows one by one after it, so batch A holds k1 and waits for k2
 * while batch B holds k2 and waits for k1. PostgreSQL rolls one back (40P01); the create must run
 * its transaction again rather than answer the client with an error. The test reads the database's
 * deadlock counter, so it knows deadlocks really happened while every create still succeeded.
 */
const ROUNDS = 12;

describe.runIf(postgresAvailable())('creates that deadlock on keys (postgresql)', () => {
  let database: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    database = await createTestDatabase('postgresql');
    db = await database.openMigrated();
  });

  afterAll(async () => {
    await database?.cleanup();
  });

  const deadlocks = async (): Promise<number> => {
    const [row] = await db.sql.query(
      `select deadlocks::int as n from pg_stat_database where datname = current_database()`,
      [],
    );
    return Number(row.n);
  };

  it('runs the victim again: every create succeeds and each key holds one task', async () => {
    const tasks = createTaskRepository(db);
    const before = await deadlocks();
    for (let round = 0; round < ROUNDS; round++) {
      const [k1, k2] = [`r${round}-a`, `r${round}-b`];
      const body = (text: string) => Buffer.from(JSON.stringify(text));
      const batch = (keep: string, replace: string, label: string) =>
        tasks.insertTasks([
          newTask('locks', { key: keep, body: body(label), contentType: 'application/json' }),
          newTask('locks', { key: replace, keyMode: 'replace', body: body(label), contentType: 'application/json' }),
        ]);
      const answers = await Promise.all([batch(k1, k2, 'A'), batch(k2, k1, 'B')]);
      expect(answers.flat()).toHaveLength(4);
      const [row] = await db.sql.query(
        `select count(*)::int as n, count(distinct dedup_key)::int as keys from dispatchr_task where dedup_key in ($1, $2)`,
        [k1, k2],
      );
      expect({ tasks: Number(row.n), keys: Number(row.keys) }).toEqual({ tasks: 2, keys: 2 });
    }
    // Without this the test would prove nothing: at least one round must have deadlocked.
    expect(await deadlocks()).toBeGreaterThan(before);
  }, 120_000);
});
