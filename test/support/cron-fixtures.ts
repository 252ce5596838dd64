import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import type { CronDefinitionInput } from '../../src/cron/cron-definition.js';
import { createCronEntries } from '../../src/cron/cron-entries.js';
import { createCronFirer, type CronFireCounts } from '../../src/cron/cron-firer.js';
import { configCronDefinitions } from '../../src/cron/cron-queue-check.js';
import { createCronRepository } from '../../src/db/cron.repository.js';
import { createDispatchRepository } from '../../src/db/dispatch.repository.js';
import type { Orm } from '../../src/db/orm.js';
import { toDate } from '../../src/db/task-row.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type DriverName, type TestDatabase } from './databases.js';

/** The queues the fixtures' config has: a firer fires only their entries. */
export const CRON_QUEUES = ['q', 'solo'];

/**
 * Fixtures of the cron firing suites (cron-firing, cron-catch-up, cron-config-sync): cron firing
 * by an injected clock on each database. The firer, entries and repository are the real ones;
 * only time is stepped.
 */
export const START = '2026-03-02T00:00:30.000Z';
export const HOUR = 3_600_000;
export const iso = (ms: number) => new Date(ms).toISOString();
export const day0 = (time: string) => `2026-03-02T${time}.000Z`;

/** Stored definitions through the config's own path (parse, then checked against the queue). */
export function definitions(entries: Record<string, Omit<CronDefinitionInput, 'queue'> & { queue?: string }>) {
  const cron = Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, { queue: 'q', ...entry }]));
  const target = { target: 'http://127.0.0.1:9/hook', allowPrivateNetwork: true };
  const config = parseConfig({ queues: Object.fromEntries(CRON_QUEUES.map((queue) => [queue, target])), cron });
  return configCronDefinitions(config.cron, config.queues, config.scheduler.leaseDuration);
}

export const countsOf = (all: CronFireCounts[], entry: string) => all.find((counts) => counts.entry === entry);

/**
 * A fresh migrated database for one `describe.each(drivers())` block, emptied of cron entries,
 * fire records and cron tasks before each test (the firer fires every due entry in the database).
 * Call it in the describe body: it registers the hooks. `db` is set once the block's tests run.
 */
export function useCronDatabase(driver: DriverName) {
  let testDb: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
  });
  afterAll(async () => testDb.cleanup());
  beforeEach(async () => {
    for (const table of ['dispatchr_cron_fire', 'dispatchr_cron_entry']) await db.sql.execute(`delete from ${table}`);
    await db.sql.execute('delete from dispatchr_task where cron is not null');
  });

  /** One "scheduler": its own clock (and connection, when given) on the shared database. */
  function world(start: string = START, orm: Orm = db) {
    const clock = fixedClock(start);
    const cron = createCronRepository(orm);
    const firer = createCronFirer({ cron, clock, logger: silentLogger, queues: CRON_QUEUES });
    return { clock, cron, firer, entries: createCronEntries({ cron, clock }) };
  }

  async function tasksOf(name: string) {
    const p = db.driver.placeholder;
    const rows = await db.sql.query(
      `select id, state, cron_fire_at from dispatchr_task where cron = ${p(1)} order by cron_fire_at, id`,
      [name],
    );
    return rows.map((row) => ({
      id: String(row.id),
      state: String(row.state),
      fireAt: iso(toDate(row.cron_fire_at).getTime()),
    }));
  }
  const fireTimes = async (name: string) => (await tasksOf(name)).map((task) => task.fireAt);
  const nextFireAt = async (name: string) => (await createCronRepository(db).get(name))?.nextFireAt?.toISOString();

  /** The task completed through the real claim and settle. */
  async function complete(queue: string, now: Date) {
    const dispatch = createDispatchRepository(db);
    const claimed = await dispatch.claim({ queue, limit: 10, owner: 'test', now, leaseMs: 60_000, maxConcurrent: 100 });
    const record = {
      startedAt: now,
      finishedAt: now,
      status: 200,
      outcome: 'completed' as const,
      durationMs: 1,
      error: null,
      responseExcerpt: null,
    };
    const settled = claimed.map((task) => ({
      taskId: task.id,
      attempt: task.attempt,
      owner: 'test',
      state: 'completed' as const,
      nextAttempt: task.attempt,
      runAt: null,
      lastStatus: 200,
      lastError: null,
      record,
    }));
    expect((await dispatch.settle(settled, now)).size).toBe(claimed.length);
  }

  return {
    /** The shared connection; read it inside a test (it is opened in beforeAll). */
    get db() {
      return db;
    },
    /** Another connection to the same database, closed at cleanup. */
    open: () => testDb.open(),
    world,
    tasksOf,
    fireTimes,
    nextFireAt,
    complete,
  };
}
