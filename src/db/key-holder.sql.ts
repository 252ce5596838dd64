/**
 * What holds a dedup key, in SQL both drivers share (docs/spec.md 11.2). Dependency-free:
 * `enqueueWithin()` in the client builds the PostgreSQL upsert from these too.
 */

/**
 * The WHERE term of the unique index dispatchr_task_dedup_idx, word for word as migration 0018
 * writes it: an upsert names it as its conflict target's predicate, and SQLite matches a partial
 * index only by that text. An unfinished task holds its key; a finished one holds it while it has
 * a retention and no create has released it yet.
 */
export const KEY_HOLDER_PREDICATE =
  "dedup_key is not null and (state in ('scheduled','available','retryable','running') or (key_retention_ms is not null and not key_released))";

/**
 * A finished task still reserving its key: the WHERE term of dispatchr_task_key_release_idx, word
 * for word as migration 0018 writes it (SQLite uses a partial index only when a query repeats it).
 */
export const KEY_RELEASE_PREDICATE =
  "key_retention_ms is not null and not key_released and state in ('completed','failed','cancelled')";

/**
 * A holder replace and debounce may change: one never delivered. Waiting, at attempt 0, never
 * started, and without an attempt in its history: a manual retry resets attempt and
 * first_attempt_at, but the attempts it moved to the history remember that the target may already
 * have seen (and de-duplicated on) the task's id. One lookup in dispatchr_attempt_task_idx.
 */
export function keyEligible(table: string): string {
  return `${table}.state in ('scheduled','available') and ${table}.attempt = 0 and ${table}.first_attempt_at is null
    and not exists (select 1 from dispatchr_attempt a where a.task_id = ${table}.id)`;
}
