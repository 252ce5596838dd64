import type { DriverQueries } from '../../driver.js';
import type { RetryBatchRow } from '../../task-retry.sql.js';
import { claimSqlite, settleSqlite } from './dispatch.sql.js';
import { buildTaskInsert } from './task-insert.sql.js';
import { buildRetryBatch } from './task-retry.sql.js';
import { buildCountQuery, buildListQuery, buildScanFloorQuery } from './task-search.sql.js';

/** The rates go with the newest heartbeat only: a stuck write landing late keeps the newer rates. */
const HEARTBEAT_UPSERT = `insert into dispatchr_scheduler (id, host, pid, queues, started_at, heartbeat_at, rates)
   values (?, ?, ?, ?, ?, ?, ?)
   on conflict (id) do update set host = excluded.host, pid = excluded.pid, queues = excluded.queues,
     started_at = excluded.started_at, heartbeat_at = max(dispatchr_scheduler.heartbeat_at, excluded.heartbeat_at),
     rates = case when excluded.heartbeat_at >= dispatchr_scheduler.heartbeat_at then excluded.rates else dispatchr_scheduler.rates end`;

export const sqliteQueries: DriverQueries = {
  claim: claimSqlite,
  settle: settleSqlite,

  async insertTasks(session, rows) {
    const statement = buildTaskInsert(rows);
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

  // One statement text whatever the count: the ids as one JSON text.
  findBodies: (session, ids) =>
    session.query('select id, body from dispatchr_task where id in (select value from json_each(?))', [
      JSON.stringify(ids),
    ]),

  async retryBatch(session, request) {
    const statement = buildRetryBatch(request);
    return statement ? session.query<RetryBatchRow>(statement.text, statement.values) : null;
  },

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
