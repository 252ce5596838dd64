import { KEY_HOLDER_PREDICATE, KEY_RELEASE_PREDICATE, keyEligible } from '../../key-holder.sql.js';
import type { SqlStatement } from '../../sql-session.js';
import type { TaskInsertRow } from '../../task-insert-row.js';
import { buildTaskInsert } from './task-insert.sql.js';

/**
 * A keyed task's create as one upsert: PostgreSQL's (read its comment), with times as epoch
 * milliseconds. SQLite's writers are serialised by the repository's immediate transaction, so the
 * last create to commit is the last to write. Its min() and max() answer null when any argument
 * is null: a missing bound stands aside through coalesce().
 */
const T = 'dispatchr_task';

/** Replace: the holder takes the create's request and due time; its id, options and history stay. */
const REPLACE = `path = excluded.path, method = excluded.method, headers = excluded.headers, body = excluded.body,
  content_type = excluded.content_type, run_at = excluded.run_at, state = excluded.state, updated_at = excluded.updated_at`;

const DEBOUNCED_RUN_AT = `max(${T}.run_at, min(excluded.run_at, coalesce(${T}.key_deadline, excluded.run_at),
  coalesce(${T}.created_at + (excluded.key_deadline - excluded.created_at), excluded.run_at)))`;
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

/** Retention's batch, as PostgreSQL's (read its comment), with times as epoch milliseconds. */
export function buildKeyRelease(now: Date, limit: number): SqlStatement {
  return {
    text: `update dispatchr_task set key_released = 1 where id in (select id from dispatchr_task
      where ${KEY_RELEASE_PREDICATE} and finalized_at + key_retention_ms <= ? order by finalized_at limit ?)`,
    values: [now.getTime(), limit],
  };
}
