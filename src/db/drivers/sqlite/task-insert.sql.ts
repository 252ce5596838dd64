import type { SqlStatement } from '../../sql-session.js';
import type { TaskInsertRow } from '../../task-insert-row.js';

const SQLITE_COLUMNS =
  '(id, queue, state, path, method, headers, body, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at)';

/**
 * New tasks as one multi-row insert; times as epoch milliseconds. `on conflict do nothing` covers
 * the dedup key: a conflicting row is not returned, and the caller looks up the task that holds it.
 */
export function buildTaskInsert(rows: readonly TaskInsertRow[]): SqlStatement {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    values.push(
      row.id,
      row.queue,
      row.state,
      row.path,
      row.method,
      JSON.stringify(row.headers),
      row.body === null ? null : Buffer.from(row.body),
      row.contentType,
      row.runAt.getTime(),
      row.maxAttempts,
      row.timeoutMs,
      row.key,
      row.traceparent,
      row.createdAt.getTime(),
      row.createdAt.getTime(),
    );
    return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  });
  return {
    text: `insert into dispatchr_task ${SQLITE_COLUMNS} values ${tuples.join(', ')} on conflict do nothing returning id`,
    values,
  };
}
