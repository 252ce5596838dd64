import type { SqlStatement } from '../../sql-session.js';
import { callbackTargetText, type TaskInsertRow } from '../../task-insert-row.js';

const SQLITE_COLUMNS =
  '(id, queue, state, path, method, headers, body, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at, on_complete, on_failure, callback_of, retry, priority)';

/** A task's priority, else its queue's stored default, else 0 (spec 11.1): two values, the priority and the queue. */
const PRIORITY = 'coalesce(?, (select default_priority from dispatchr_queue_state where name = ?), 0)';

/** The key options (migration 0018), after the columns above. */
const KEY_COLUMNS = ', key_mode, key_deadline, key_retention_ms)';

/**
 * New tasks as one multi-row insert; times as epoch milliseconds. `on conflict do nothing` covers
 * the dedup key: a conflicting row is not returned, and the caller looks up the task that holds it.
 */
export function buildTaskInsert(
  rows: readonly TaskInsertRow[],
  conflict = 'on conflict do nothing returning id',
): SqlStatement {
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
      callbackTargetText(row.onComplete),
      callbackTargetText(row.onFailure),
      row.callbackOf ?? null,
      row.retry ?? null,
      // no priority sent: the queue's stored default (spec 11.1)
      row.priority ?? null,
      row.queue,
    );
    // The key options (migration 0018); key mode null is keep.
    values.push(
      row.keyMode === 'keep' ? null : (row.keyMode ?? null),
      row.keyDeadline ? row.keyDeadline.getTime() : null,
      row.keyRetentionMs ?? null,
    );
    return `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${PRIORITY}, ?, ?, ?)`;
  });
  return {
    text: `insert into dispatchr_task ${SQLITE_COLUMNS.slice(0, -1)}${KEY_COLUMNS} values ${tuples.join(', ')} ${conflict}`,
    values,
  };
}
