import type { DriverQueries } from '../../driver.js';
import { CRON_ENTRY_COLUMNS } from '../../cron-entry-row.js';
import { DUE_CHANNEL } from '../../due-signal.js';
import { statementQueries, type StatementBuilders } from '../../statement-queries.js';
import { claimPostgres } from './dispatch.sql.js';
import { settlePostgresBatch } from './settle-callbacks.sql.js';
import { buildCancelBatch, buildCancelRunning } from './task-cancel.sql.js';
import { buildTaskInsertBulk } from './task-insert.sql.js';
import { buildKeyRelease, buildKeyUpsert } from './task-key-upsert.sql.js';
import { buildRetryBatch } from './task-retry.sql.js';
import { buildCountQuery, buildListQuery } from './task-search.sql.js';

const PAUSE_UPSERT = `insert into dispatchr_queue_state (name, paused, updated_at) values ($1, $2, $3)
   on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at`;

/** The rates go with the newest heartbeat only: a stuck write landing late keeps the newer rates. */
const HEARTBEAT_UPSERT = `insert into dispatchr_scheduler (id, host, pid, queues, started_at, heartbeat_at, rates)
   values ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb)
   on conflict (id) do update set host = excluded.host, pid = excluded.pid, queues = excluded.queues,
     started_at = excluded.started_at, heartbeat_at = greatest(dispatchr_scheduler.heartbeat_at, excluded.heartbeat_at),
     rates = case when excluded.heartbeat_at >= dispatchr_scheduler.heartbeat_at then excluded.rates else dispatchr_scheduler.rates end`;

/** A time column's minute, as epoch milliseconds (timestamptz: no session time zone involved). */
const minuteOf = (column: string) => `(floor(extract(epoch from ${column}) / 60) * 60000)::bigint`;

/** This driver's statements, run by statement-queries.ts. */
export const STATEMENTS: StatementBuilders = {
  placeholder: (n) => `$${n}`,
  insert: buildTaskInsertBulk,
  insertUnkeyed: (rows) => buildTaskInsertBulk(rows, 'fail'),
  keyUpsert: buildKeyUpsert,
  keyRelease: buildKeyRelease,
  list: buildListQuery,
  count: buildCountQuery,
  retryBatch: buildRetryBatch,
  cancelBatch: buildCancelBatch,
  minuteOf,
  heartbeatUpsert: HEARTBEAT_UPSERT,
};

export const postgresQueries: DriverQueries = {
  claim: claimPostgres,
  settle: settlePostgresBatch,

  ...statementQueries(STATEMENTS),

  cancelRunning: (session, request) => {
    const statement = buildCancelRunning(request);
    return session.query(statement.text, statement.values);
  },

  // SKIP LOCKED: schedulers share the due entries with no leader; one held by another is its to fire.
  lockDueCronEntries: (tx, now, limit, queues) =>
    tx.query(
      `select ${CRON_ENTRY_COLUMNS} from dispatchr_cron_entry
       where enabled and not paused and not orphaned and next_fire_at <= $1 and queue = any($3::text[])
       order by next_fire_at limit $2 for update skip locked`,
      [now, limit, [...queues]],
    ),

  // One statement text whatever the count: the ids as one array.
  findBodies: (session, ids) =>
    session.query('select id, body from dispatchr_task where id = any($1::uuid[])', [[...ids]]),

  /**
   * Written under the queue's claim lock (the one `dispatchr_claim()` takes), so a claim in flight
   * commits before the pause does, and every later claim reads the flag. A resume NOTIFYs the due
   * channel at commit: the schedulers claim at once instead of at their next poll.
   */
  async setPaused(pool, name, paused, at) {
    await pool.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('dispatchr.claim.' || $1))`, [name]);
      await tx.execute(PAUSE_UPSERT, [name, paused, at]);
      if (!paused) await tx.query(`select pg_notify('${DUE_CHANNEL}', $1)`, [name]);
    });
  },
};
