import { isTaskState, type TaskState } from '../task.js';
import { CRON_ENTRY_COLUMNS, toCronEntryRecord, type CronEntryRecord, type CronEntrySource } from './cron-entry-row.js';
import type { Orm } from './orm.js';
import { SqlParams, type SqlSession } from './sql-session.js';
import type { TaskInsertRow } from './task-insert-row.js';
import { toDate, toDateOrNull } from './task-row.js';

/**
 * Cron entries and the record of their fire times (migration 0016), in SQL every database answers
 * alike; the one statement that differs (holding due entries) is the driver's. What an entry's
 * fields mean, and when it fires, is src/cron's: this file stores and reads.
 */
export type CronRepository = ReturnType<typeof createCronRepository>;

export interface NewCronEntry {
  name: string;
  source: CronEntrySource;
  definition: string;
  definitionHash: string;
  queue: string;
  enabled: boolean;
  nextFireAt: Date | null;
}

export type CronFireKind = 'scheduled' | 'manual';

export interface CronFire {
  entry: string;
  kind: CronFireKind;
  fireAt: Date;
  outcome: 'fired' | 'skipped';
  taskId: string | null;
}

/** One run in an entry's history: a task it created, or a fire time skipped for overlap. */
export interface CronRun {
  fireAt: Date;
  kind: CronFireKind | null;
  outcome: 'fired' | 'skipped';
  taskId: string | null;
  taskState: TaskState | null;
  createdAt: Date;
  finalizedAt: Date | null;
}

export function createCronRepository(db: Orm) {
  const params = () => new SqlParams(db.driver.placeholder);

  return {
    transaction: <T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> => db.sql.transaction(fn),

    async list(session: SqlSession = db.sql): Promise<CronEntryRecord[]> {
      const rows = await session.query(`select ${CRON_ENTRY_COLUMNS} from dispatchr_cron_entry order by name`);
      return rows.map(toCronEntryRecord);
    },

    async get(name: string, session: SqlSession = db.sql): Promise<CronEntryRecord | null> {
      const p = params();
      const rows = await session.query(
        `select ${CRON_ENTRY_COLUMNS} from dispatchr_cron_entry where name = ${p.add(name)}`,
        p.values,
      );
      return rows[0] ? toCronEntryRecord(rows[0]) : null;
    },

    /** False when the name is taken (by either source): the caller reads it and decides. */
    async insert(session: SqlSession, entry: NewCronEntry, now: Date): Promise<boolean> {
      const p = params();
      const values = [
        entry.name,
        entry.source,
        entry.definition,
        entry.definitionHash,
        entry.queue,
        entry.enabled,
        entry.nextFireAt,
        now,
        now,
      ].map((value) => p.add(value));
      return (
        (await session.execute(
          `insert into dispatchr_cron_entry (name, source, definition, definition_hash, queue, enabled, next_fire_at, created_at, updated_at)
           values (${values.join(', ')}) on conflict (name) do nothing`,
          p.values,
        )) === 1
      );
    },

    /** A new definition for an entry of `source`; it is no longer orphaned. False when no such entry. */
    async replaceDefinition(session: SqlSession, entry: NewCronEntry, now: Date): Promise<boolean> {
      const p = params();
      return (
        (await session.execute(
          `update dispatchr_cron_entry set definition = ${p.add(entry.definition)}, definition_hash = ${p.add(entry.definitionHash)},
             queue = ${p.add(entry.queue)}, enabled = ${p.add(entry.enabled)}, next_fire_at = ${p.add(entry.nextFireAt)},
             orphaned = ${p.add(false)}, updated_at = ${p.add(now)}
           where name = ${p.add(entry.name)} and source = ${p.add(entry.source)}`,
          p.values,
        )) === 1
      );
    },

    /** Config entries that left the config: kept, listed as orphaned, never fired, until deleted. */
    async markOrphaned(session: SqlSession, names: readonly string[], now: Date): Promise<void> {
      for (const name of names) {
        const p = params();
        await session.execute(
          `update dispatchr_cron_entry set orphaned = ${p.add(true)}, updated_at = ${p.add(now)}
           where name = ${p.add(name)} and source = 'config'`,
          p.values,
        );
      }
    },

    async delete(name: string): Promise<boolean> {
      const p = params();
      return (await db.sql.execute(`delete from dispatchr_cron_entry where name = ${p.add(name)}`, p.values)) === 1;
    },

    /**
     * A resume gives the next fire time from now: fire times passed while paused are not caught
     * up. It changes only a paused entry: resuming an active one must not drop a due fire time.
     */
    async setPaused(name: string, paused: boolean, nextFireAt: Date | null, now: Date): Promise<boolean> {
      const p = params();
      // Values are added in the order their placeholders stand: SQLite's are positional.
      const text = paused
        ? `update dispatchr_cron_entry set paused = ${p.add(true)}, updated_at = ${p.add(now)} where name = ${p.add(name)}`
        : `update dispatchr_cron_entry set paused = ${p.add(false)}, next_fire_at = ${p.add(nextFireAt)}, updated_at = ${p.add(now)}
           where name = ${p.add(name)} and paused = ${p.add(true)}`;
      return (await db.sql.execute(text, p.values)) === 1;
    },

    /** Due entries of these queues (those the caller's config has), held by `tx` until it ends. */
    lockDue: (tx: SqlSession, now: Date, limit: number, queues: readonly string[]) =>
      db.driver.queries.lockDueCronEntries(tx, now, limit, queues).then((rows) => rows.map(toCronEntryRecord)),

    /** The (entry, kind, fire time) record: false when it exists, i.e. that fire time was fired already. */
    async recordFire(tx: SqlSession, fire: CronFire, now: Date): Promise<boolean> {
      const p = params();
      const values = [fire.entry, fire.kind, fire.fireAt, fire.outcome, fire.taskId, now].map((v) => p.add(v));
      return (
        (await tx.execute(
          `insert into dispatchr_cron_fire (entry, kind, fire_at, outcome, task_id, created_at)
           values (${values.join(', ')}) on conflict do nothing`,
          p.values,
        )) === 1
      );
    },

    /** The fire's task, marked with its entry and fire time, in the caller's transaction. */
    async insertTask(tx: SqlSession, row: TaskInsertRow, entry: string, fireAt: Date): Promise<void> {
      const inserted = await db.driver.queries.insertTasks(tx, [row]);
      if (!inserted.has(row.id)) throw new Error(`cron task ${row.id} was not inserted`);
      const p = params();
      await tx.execute(
        `update dispatchr_task set cron = ${p.add(entry)}, cron_fire_at = ${p.add(fireAt)} where id = ${p.add(row.id)}`,
        p.values,
      );
    },

    /**
     * The compare-and-set that makes a fire time fire once: moves next_fire_at on only from the
     * value this fire read. False: another scheduler moved it first.
     */
    async advance(
      tx: SqlSession,
      name: string,
      expectedNext: Date,
      change: { nextFireAt: Date | null; lastFireAt: Date | null; lastTaskId: string | null },
      now: Date,
    ): Promise<boolean> {
      const p = params();
      return (
        (await tx.execute(
          `update dispatchr_cron_entry set next_fire_at = ${p.add(change.nextFireAt)},
             last_fire_at = coalesce(${p.add(change.lastFireAt)}, last_fire_at),
             last_task_id = coalesce(${p.add(change.lastTaskId)}, last_task_id), updated_at = ${p.add(now)}
           where name = ${p.add(name)} and next_fire_at = ${p.add(expectedNext)}`,
          p.values,
        )) === 1
      );
    },

    /** A manual fire's task becomes the entry's last (what overlap: skip looks at). False: the entry is gone. */
    async noteManualFire(tx: SqlSession, name: string, at: Date, taskId: string): Promise<boolean> {
      const p = params();
      return (
        1 ===
        (await tx.execute(
          `update dispatchr_cron_entry set last_fire_at = ${p.add(at)}, last_task_id = ${p.add(taskId)}, updated_at = ${p.add(at)}
         where name = ${p.add(name)}`,
          p.values,
        ))
      );
    },

    /** Each task's state; a task that is gone (pruned) is left out. */
    async taskStates(ids: readonly string[], session: SqlSession = db.sql): Promise<Map<string, TaskState>> {
      const states = new Map<string, TaskState>();
      if (ids.length === 0) return states;
      const p = params();
      const rows = await session.query<{ id: string; state: string }>(
        `select id, state from dispatchr_task where id in (${ids.map((id) => p.add(id)).join(', ')})`,
        p.values,
      );
      for (const row of rows) if (isTaskState(row.state)) states.set(String(row.id), row.state);
      return states;
    },

    /** The earliest next fire time of an entry of these queues that may fire: how long the firer may sleep. */
    async nextDueAt(queues: readonly string[]): Promise<Date | null> {
      if (queues.length === 0) return null;
      const p = params();
      const rows = await db.sql.query<{ at: unknown }>(
        `select min(next_fire_at) as at from dispatchr_cron_entry
         where enabled = ${p.add(true)} and paused = ${p.add(false)} and orphaned = ${p.add(false)}
           and queue in (${queues.map((queue) => p.add(queue)).join(', ')})`,
        p.values,
      );
      return toDateOrNull(rows[0]?.at);
    },

    /** Records older than `before` (the catch-up bound: no fire time that old fires again); at most `limit`. */
    async pruneFires(before: Date, limit: number): Promise<number> {
      const p = params();
      return db.sql.execute(
        `delete from dispatchr_cron_fire where (entry, fire_at, kind) in
           (select entry, fire_at, kind from dispatchr_cron_fire where fire_at < ${p.add(before)} limit ${p.add(limit)})`,
        p.values,
      );
    },

    /** An entry's runs, newest fire time first: the tasks it created and the fire times it skipped. */
    async runs(name: string, limit: number): Promise<CronRun[]> {
      const p = params();
      const tasks = await db.sql.query(
        `select t.id, t.state, t.cron_fire_at, t.created_at, t.finalized_at, f.kind from dispatchr_task t
           left join dispatchr_cron_fire f on f.entry = t.cron and f.fire_at = t.cron_fire_at and f.task_id = t.id
         where t.cron = ${p.add(name)} order by t.cron_fire_at desc limit ${p.add(limit)}`,
        p.values,
      );
      const q = params();
      const skipped = await db.sql.query(
        `select fire_at, kind, created_at from dispatchr_cron_fire
         where entry = ${q.add(name)} and outcome = 'skipped' order by fire_at desc limit ${q.add(limit)}`,
        q.values,
      );
      const runs: CronRun[] = [
        ...tasks.map((row) => ({
          fireAt: toDate(row.cron_fire_at),
          kind: (row.kind ?? null) as CronFireKind | null,
          outcome: 'fired' as const,
          taskId: String(row.id),
          taskState: isTaskState(row.state) ? row.state : null,
          createdAt: toDate(row.created_at),
          finalizedAt: toDateOrNull(row.finalized_at),
        })),
        ...skipped.map((row) => ({
          fireAt: toDate(row.fire_at),
          kind: (row.kind ?? null) as CronFireKind | null,
          outcome: 'skipped' as const,
          taskId: null,
          taskState: null,
          createdAt: toDate(row.created_at),
          finalizedAt: null,
        })),
      ];
      return runs.sort((a, b) => b.fireAt.getTime() - a.fireAt.getTime()).slice(0, limit);
    },
  };
}
