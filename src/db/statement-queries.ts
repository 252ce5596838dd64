import { buildActivityQuery, toActivityRow } from './activity.sql.js';
import type { DriverQueries, ListQuery } from './driver.js';
import { SqlParams, type SqlStatement } from './sql-session.js';
import { indexedPart, type TaskFilter } from './task-filter.sql.js';
import type { TaskInsertRow } from './task-insert-row.js';
import { TASK_COLUMNS } from './task-row.js';
import type { CancelBatchRequest, CancelBatchRow } from './task-cancel.sql.js';
import type { RetryBatchRequest, RetryBatchRow } from './task-retry.sql.js';

/**
 * A driver's statement builders for the task searches, the insert, the bulk retry and cancel and
 * the per-minute activity: each driver
 * writes its own SQL, and these run them alike (one statement each, its rows read the same way).
 */
export interface StatementBuilders {
  placeholder(n: number): string;
  insert(rows: readonly TaskInsertRow[]): SqlStatement;
  /**
   * Rows without a key, which only a duplicate id could conflict with: a statement that fails on a
   * conflict instead of skipping the row, and returns nothing (every row was written). Absent: `insert`.
   */
  insertUnkeyed?(rows: readonly TaskInsertRow[]): SqlStatement;
  /** One keyed row by its key mode, answering `returning` of the row written (task-key-upsert.sql.ts). */
  keyUpsert(row: TaskInsertRow, returning: string): SqlStatement;
  /** Releases up to `limit` finished holders past their keyRetention (task-key-upsert.sql.ts). */
  keyRelease(now: Date, limit: number): SqlStatement;
  /** A page of tasks, newest first; `columns` 'id' selects ids alone (the scan floor's inner query). */
  list(query: ListQuery & { columns?: string }): SqlStatement;
  count(filter: TaskFilter): SqlStatement;
  retryBatch(request: RetryBatchRequest): SqlStatement | null;
  cancelBatch(request: CancelBatchRequest): SqlStatement | null;
  /** A time column's minute as epoch milliseconds (the per-minute activity's buckets). */
  minuteOf(column: string): string;
  /**
   * The scheduler's upsert, 7 values (id, host, pid, queues JSON, started, at, rates JSON): its
   * heartbeat time only moves forward, its rates go with the newest heartbeat.
   */
  heartbeatUpsert: string;
}

type StatementQueries = Pick<
  DriverQueries,
  | 'insertTasks'
  | 'upsertKeyedTask'
  | 'releaseExpiredKeys'
  | 'listTasks'
  | 'scanFloor'
  | 'countTasks'
  | 'retryBatch'
  | 'cancelBatch'
  | 'activity'
  | 'heartbeat'
>;

export function statementQueries(build: StatementBuilders): StatementQueries {
  return {
    async insertTasks(session, rows) {
      if (build.insertUnkeyed && rows.every((row) => row.key === null)) {
        const statement = build.insertUnkeyed(rows);
        await session.execute(statement.text, statement.values);
        return new Set(rows.map((row) => row.id));
      }
      const statement = build.insert(rows);
      return new Set((await session.query(statement.text, statement.values)).map((row) => String(row.id)));
    },

    async upsertKeyedTask(session, row) {
      const statement = build.keyUpsert(row, TASK_COLUMNS);
      return (await session.query(statement.text, statement.values))[0];
    },

    async releaseExpiredKeys(session, now, limit) {
      const statement = build.keyRelease(now, limit);
      return session.execute(statement.text, statement.values);
    },

    async listTasks(session, query) {
      const statement = build.list(query);
      return session.query(statement.text, statement.values);
    },

    async scanFloor(session, filter, beforeId, rows) {
      const statement = scanFloorStatement(build, filter, beforeId, rows);
      const [row] = await session.query<{ id: string }>(statement.text, statement.values);
      return row === undefined ? undefined : String(row.id);
    },

    async countTasks(session, filter) {
      const statement = build.count(filter);
      const rows = await session.query<{ n: number | string }>(statement.text, statement.values);
      return Number(rows[0].n);
    },

    async retryBatch(session, request) {
      const statement = build.retryBatch(request);
      return statement ? session.query<RetryBatchRow>(statement.text, statement.values) : null;
    },

    async cancelBatch(session, request) {
      const statement = build.cancelBatch(request);
      return statement ? session.query<CancelBatchRow>(statement.text, statement.values) : null;
    },

    async activity(session, request) {
      const statement = buildActivityQuery(request, build.placeholder, build.minuteOf);
      return (await session.query(statement.text, statement.values)).map(toActivityRow);
    },

    async heartbeat(session, beat) {
      const { id, host, pid, queues, startedAt, at, rates } = beat;
      await session.execute(build.heartbeatUpsert, [
        id,
        host,
        pid,
        JSON.stringify(queues),
        startedAt,
        at,
        JSON.stringify(rates),
      ]);
    },
  };
}

/**
 * The end of a bounded scan's window (DriverQueries.scanFloor): the `rows`-th id of the list the
 * filter's queue and state select, below `beforeId`. Reads `rows` index entries at most (per queue
 * and state where the driver walks pairs), and no table rows.
 */
export function scanFloorStatement(
  build: Pick<StatementBuilders, 'placeholder' | 'list'>,
  filter: TaskFilter,
  beforeId: string | undefined,
  rows: number,
): SqlStatement {
  const ids = build.list({ ...indexedPart(filter), beforeId, limit: rows, columns: 'id' });
  const p = new SqlParams(build.placeholder);
  p.values.push(...ids.values);
  return {
    text: `select id from (${ids.text}) scanned order by id desc limit 1 offset ${p.add(rows - 1)}`,
    values: p.values,
  };
}
