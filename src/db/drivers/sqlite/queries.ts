import type { DriverQueries } from '../../driver.js';
import { CRON_ENTRY_COLUMNS } from '../../cron-entry-row.js';
import { statementQueries, type StatementBuilders } from '../../statement-queries.js';
import { claimSqlite, settleSqlite } from './dispatch.sql.js';
import { buildCancelBatch, buildCancelRunning } from './task-cancel.sql.js';
import { buildTaskInsert } from './task-insert.sql.js';
import { buildKeyRelease, buildKeyUpsert } from './task-key-upsert.sql.js';
import { buildRetryBatch } from './task-retry.sql.js';
import { buildCountQuery, buildListQuery } from './task-search.sql.js';

/** The rates go with the newest heartbeat only: a stuck write landing late keeps the newer rates. */
const HEARTBEAT_UPSERT = `insert into dispatchr_scheduler (id, host, pid, queues, started_at, heartbeat_at, rates)
   values (?, ?, ?, ?, ?, ?, ?)
   on conflict (id) do update set host = excluded.host, pid = excluded.pid, queues = excluded.queues,
     started_at = excluded.started_at, heartbeat_at = max(dispatchr_scheduler.heartbeat_at, excluded.heartbeat_at),
     rates = case when excluded.heartbeat_at >= dispatchr_scheduler.heartbeat_at then excluded.rates else dispatchr_scheduler.rates end`;

/** A time column's minute: times are integer epoch milliseconds, so integer division. */
const minuteOf = (column: string) => `(${column} / 60000) * 60000`;

/** This driver's statements, run by statement-queries.ts. */
export const STATEMENTS: StatementBuilders = {
  placeholder: () => '?',
  insert: buildTaskInsert,
  keyUpsert: buildKeyUpsert,
  keyRelease: buildKeyRelease,
  list: buildListQuery,
  count: buildCountQuery,
  retryBatch: buildRetryBatch,
  cancelBatch: buildCancelBatch,
  minuteOf,
  heartbeatUpsert: HEARTBEAT_UPSERT,
};

export const sqliteQueries: DriverQueries = {
  claim: claimSqlite,
  settle: settleSqlite,

  ...statementQueries(STATEMENTS),

  cancelRunning: (session, request) => {
    const statement = buildCancelRunning(request);
    return session.query(statement.text, statement.values);
  },

  // One writer at a time (the caller's transaction is BEGIN IMMEDIATE): nothing else to hold.
  lockDueCronEntries: (tx, now, limit, queues) =>
    tx.query(
      `select ${CRON_ENTRY_COLUMNS} from dispatchr_cron_entry
       where enabled = 1 and paused = 0 and orphaned = 0 and next_fire_at <= ?
         and queue in (select value from json_each(?))
       order by next_fire_at limit ?`,
      [now, JSON.stringify(queues), limit],
    ),

  // One statement text whatever the count: the ids as one JSON text.
  findBodies: (session, ids) =>
    session.query('select id, body from dispatchr_task where id in (select value from json_each(?))', [
      JSON.stringify(ids),
    ]),

  /**
   * One writer at a time: a committed flag is read by every later claim. A resume wakes the
   * schedulers of this process through the due-signal (the repository's); one in another process
   * reads the flags within its poll interval.
   */
  async setPaused(pool, name, paused, at) {
    await pool.execute(
      `insert into dispatchr_queue_state (name, paused, updated_at) values (?, ?, ?)
       on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at`,
      [name, paused, at],
    );
  },
};
