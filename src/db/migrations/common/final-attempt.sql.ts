/**
 * The final attempt kept on the task row (migrations 0005). Shared by every driver's migration 0005,
 * which is why it lives beside the common migrations: a migration's SQL must not change once shipped, so nothing
 * outside the migrations may edit what is here.
 */

/** The task row's final_* columns, in the order the migrations add them. */
export const FINAL_ATTEMPT_COLUMNS = [
  'final_started_at',
  'final_finished_at',
  'final_status',
  'final_outcome',
  'final_duration_ms',
  'final_error',
  'final_excerpt',
] as const;

/** `add column` clauses for the final_* columns, given the driver's type of each. */
export function addFinalAttemptColumns(types: Record<(typeof FINAL_ATTEMPT_COLUMNS)[number], string>): string[] {
  return FINAL_ATTEMPT_COLUMNS.map((column) => `add column ${column} ${types[column]}`);
}

/** The reopen trigger's body on every driver: the row's final attempt (OLD) becomes an attempt row. */
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
