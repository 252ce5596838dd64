/**
 * The final attempt kept on the task row (migrations 0005). Shared by both dialects' migrations,
 * which is why it lives beside them: a migration's SQL must not change once shipped, so nothing
 * outside the migrations may edit what is here.
 */

/** The task row's final_* columns, with their type per dialect (SQLite keeps times as epoch ms). */
export const FINAL_ATTEMPT_COLUMN_TYPES = {
  final_started_at: { postgresql: 'timestamptz', sqlite: 'integer' },
  final_finished_at: { postgresql: 'timestamptz', sqlite: 'integer' },
  final_status: { postgresql: 'integer', sqlite: 'integer' },
  final_outcome: { postgresql: 'text', sqlite: 'text' },
  final_duration_ms: { postgresql: 'integer', sqlite: 'integer' },
  final_error: { postgresql: 'text', sqlite: 'text' },
  final_excerpt: { postgresql: 'text', sqlite: 'text' },
} as const;

export const FINAL_ATTEMPT_COLUMNS = Object.keys(
  FINAL_ATTEMPT_COLUMN_TYPES,
) as (keyof typeof FINAL_ATTEMPT_COLUMN_TYPES)[];

/** `add column` clauses for the final_* columns. */
export function addFinalAttemptColumns(dialect: 'postgresql' | 'sqlite'): string[] {
  return FINAL_ATTEMPT_COLUMNS.map((column) => `add column ${column} ${FINAL_ATTEMPT_COLUMN_TYPES[column][dialect]}`);
}

/** The reopen trigger's body on both dialects: the row's final attempt (OLD) becomes an attempt row. */
export const moveFinalAttemptInsert = `insert into dispatchr_attempt (task_id, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt)
  values (old.id, old.attempt, old.final_started_at, old.final_finished_at, old.final_status, old.final_outcome,
          old.final_duration_ms, old.final_error, old.final_excerpt)`;

/** When a row holding a final attempt is reopened (finalized_at cleared): the reopen trigger's WHEN. */
export const reopensFinalAttempt =
  'old.final_outcome is not null and new.final_outcome is not null and new.finalized_at is null';

/**
 * Every attempt of every task, oldest first per task when ordered by `seq`: the dispatchr_attempt
 * rows, then the final attempt on the task row. Operators may query it; findAttempts reads it.
 */
export const finalAttemptHistoryView = `create view dispatchr_attempt_history as
  select task_id, id as seq, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt
  from dispatchr_attempt
  union all
  select id as task_id, 9223372036854775807 as seq, attempt as number, final_started_at as started_at,
    final_finished_at as finished_at, final_status as status, final_outcome as outcome, final_duration_ms as duration_ms,
    final_error as error, final_excerpt as response_excerpt
  from dispatchr_task where final_outcome is not null`;
