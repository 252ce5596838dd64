/**
 * The final attempt kept on the task row (migrations 0005). Shared by both dialects' migrations,
 * which is why it lives beside them: a migration's SQL must not change once shipped, so nothing
 * outside the migrations may edit what is here.
 */
export const FINAL_ATTEMPT_COLUMNS = [
  'final_started_at', 'final_finished_at', 'final_status', 'final_outcome', 'final_duration_ms', 'final_error', 'final_excerpt',
] as const;

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
