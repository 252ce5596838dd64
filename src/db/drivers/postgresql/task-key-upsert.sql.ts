import { KEY_HOLDER_PREDICATE, KEY_RELEASE_PREDICATE, keyEligible } from '../../key-holder.sql.js';
import type { TaskInsertRow } from '../../task-insert-row.js';
import { buildTaskInsert, type SqlStatement } from './task-insert.sql.js';

/**
 * A keyed task's create as one statement (docs/spec.md 11.2): the row is inserted, or it meets the
 * key's holder. Keep leaves the holder alone (nothing returned). Replace and debounce rewrite a
 * holder never delivered (keyEligible) and answer it; any other holder is left alone.
 *
 * Concurrency is PostgreSQL's: ON CONFLICT DO UPDATE locks the holder's row until commit, and a
 * create that meets a row another transaction is inserting or updating waits for it and then
 * updates the newest version. So the holder ends with the request of the create that committed
 * last. Dependency-free like task-insert.sql.ts: `enqueueWithin()` runs it in an app's transaction.
 *
 * `returning`: the columns to answer (`id` for the client). The answer's id is the new row's when
 * it was inserted, the holder's when it was rewritten.
 */
const T = 'dispatchr_task';

/** Replace: the holder takes the create's request and due time; its id, options and history stay. */
const REPLACE = `path = excluded.path, method = excluded.method, headers = excluded.headers, body = excluded.body,
  body_json = excluded.body_json, content_type = excluded.content_type, run_at = excluded.run_at,
  state = excluded.state, updated_at = excluded.updated_at`;

/**
 * Debounce: due at the later of its own time and the create's, the create's capped by the holder's
 * deadline and by the holder's created_at + this create's keyMaxWait (excluded.key_deadline -
 * excluded.created_at). least() skips nulls: no bound is no cap.
 */
const DEBOUNCED_RUN_AT = `greatest(${T}.run_at, least(excluded.run_at, ${T}.key_deadline,
  ${T}.created_at + (excluded.key_deadline - excluded.created_at)))`;
const DEBOUNCE = `run_at = ${DEBOUNCED_RUN_AT},
  state = case when ${DEBOUNCED_RUN_AT} <= excluded.created_at then 'available' else 'scheduled' end,
  updated_at = excluded.updated_at`;

export function buildKeyUpsert(row: TaskInsertRow, returning = 'id'): SqlStatement {
  if (row.keyMode !== 'replace' && row.keyMode !== 'debounce')
    return buildTaskInsert([row], `on conflict do nothing returning ${returning}`);
  const sets = row.keyMode === 'replace' ? REPLACE : DEBOUNCE;
  return buildTaskInsert(
    [row],
    `on conflict (queue, dedup_key) where ${KEY_HOLDER_PREDICATE}
    do update set ${sets} where ${keyEligible(T)} returning ${returning}`,
  );
}

/**
 * Retention's batch: releases up to `limit` finished holders whose keyRetention has passed, oldest
 * first, through the index of reserved keys (migration 0018).
 */
export function buildKeyRelease(now: Date, limit: number): SqlStatement {
  return {
    text: `update dispatchr_task set key_released = true where id in (select id from dispatchr_task
      where ${KEY_RELEASE_PREDICATE} and finalized_at + key_retention_ms * interval '1 millisecond' <= $1::timestamptz
      order by finalized_at limit $2)`,
    values: [now, limit],
  };
}
