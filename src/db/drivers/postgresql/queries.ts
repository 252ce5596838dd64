import type { DriverQueries } from '../../driver.js';
import { DUE_CHANNEL } from '../../due-signal.js';
import type { RetryBatchRow } from '../../task-retry.sql.js';
import { claimPostgres, settlePostgres } from './dispatch.sql.js';
import { buildTaskInsertBulk } from './task-insert.sql.js';
import { buildRetryBatch } from './task-retry.sql.js';
import { buildCountQuery, buildListQuery, buildScanFloorQuery } from './task-search.sql.js';

const PAUSE_UPSERT = `insert into dispatchr_queue_state (name, paused, updated_at) values ($1, $2, $3)
   on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at`;

/** The rates go with the newest heartbeat only: a stuck write landing late keeps the newer rates. */
const HEARTBEAT_UPSERT = `insert into dispatchr_scheduler (id, host, pid, queues, started_at, heartbeat_at, rates)
   values ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb)
   on conflict (id) do update set host = excluded.host, pid = excluded.pid, queues = excluded.queues,
     started_at = excluded.started_at, heartbeat_at = greatest(dispatchr_scheduler.heartbeat_at, excluded.heartbeat_at),
     rates = case when excluded.heartbeat_at >= dispatchr_scheduler.heartbeat_at then excluded.rates else dispatchr_scheduler.rates end`;

export const postgresQueries: DriverQueries = {
  claim: claimPostgres,
  settle: settlePostgres,

  async insertTasks(session, rows) {
    const statement = buildTaskInsertBulk(rows);
    return new Set((await session.query(statement.text, statement.values)).map((row) => String(row.id)));
  },

  async listTasks(session, query) {
    const statement = buildListQuery(query);
    return session.query(statement.text, statement.values);
  },

  async scanFloor(session, filter, beforeId, rows) {
    const statement = buildScanFloorQuery(filter, beforeId, rows);
    const [row] = await session.query<{ id: string }>(statement.text, statement.values);
    return row === undefined ? undefined : String(row.id);
  },

  async countTasks(session, filter) {
    const statement = buildCountQuery(filter);
    const rows = await session.query<{ n: number | string }>(statement.text, statement.values);
    return Number(rows[0].n);
  },

  // One statement text whatever the count: the ids as one array.
  findBodies: (session, ids) =>
    session.query('select id, body from dispatchr_task where id = any($1::uuid[])', [[...ids]]),

  async retryBatch(session, request) {
    const statement = buildRetryBatch(request);
    return statement ? session.query<RetryBatchRow>(statement.text, statement.values) : null;
  },

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

  async heartbeat(session, beat) {
    await session.execute(HEARTBEAT_UPSERT, [
      beat.id,
      beat.host,
      beat.pid,
      JSON.stringify(beat.queues),
      beat.startedAt,
      beat.at,
      JSON.stringify(beat.rates),
    ]);
  },
};
