import { Migration } from '@mikro-orm/migrations';
import {
  addFinalAttemptColumns,
  FINAL_ATTEMPT_COLUMNS,
  finalAttemptHistoryView,
  moveFinalAttemptInsert,
  reopensFinalAttempt,
} from '../../../migrations/common/final-attempt.sql.js';

/** The final_* columns' types. */
const FINAL_ATTEMPT_TYPES = {
  final_started_at: 'timestamptz',
  final_finished_at: 'timestamptz',
  final_status: 'integer',
  final_outcome: 'text',
  final_duration_ms: 'integer',
  final_error: 'text',
  final_excerpt: 'text',
};

/**
 * The attempt that finishes a task stays on its row (final_* columns) instead of becoming a
 * dispatchr_attempt row: most tasks finish on their first attempt, and the attempt insert was the
 * largest part of the settle (`bench/statements.ts`: 47 instead of 57 µs of PostgreSQL per task
 * for claim and settle together). Attempts that do not finish the task (retried, rescued, given
 * back) are still rows. When a finished task is opened again (retry), a BEFORE UPDATE trigger moves
 * its final attempt into dispatchr_attempt, whichever statement does it (single or bulk retry).
 * `dispatchr_attempt_history` reads both as one list.
 */
export class PostgresFinalAttemptOnTask extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_task ${addFinalAttemptColumns(FINAL_ATTEMPT_TYPES).join(', ')}`);
    this.addSql(`
create function dispatchr_move_final_attempt() returns trigger language plpgsql as $$
begin
  ${moveFinalAttemptInsert};
  ${FINAL_ATTEMPT_COLUMNS.map((column) => `new.${column} := null;`).join(' ')}
  return new;
end $$`);
    // WHEN keeps the trigger off the hot path: a claim or a settle never reopens a finished row.
    this.addSql(`create trigger dispatchr_task_move_final_attempt before update on dispatchr_task for each row
  when (${reopensFinalAttempt})
  execute function dispatchr_move_final_attempt()`);
    this.addSql(finalAttemptHistoryView);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view dispatchr_attempt_history`);
    this.addSql(`drop trigger dispatchr_task_move_final_attempt on dispatchr_task`);
    this.addSql(`drop function dispatchr_move_final_attempt()`);
    this
      .addSql(`insert into dispatchr_attempt (task_id, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt)
  select id, attempt, ${FINAL_ATTEMPT_COLUMNS.join(', ')}
  from dispatchr_task where final_outcome is not null`);
    this.addSql(
      `alter table dispatchr_task ${FINAL_ATTEMPT_COLUMNS.map((column) => `drop column ${column}`).join(', ')}`,
    );
  }
}
