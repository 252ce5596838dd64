import { Migration } from '@mikro-orm/migrations';
import {
  addFinalAttemptColumns,
  FINAL_ATTEMPT_COLUMNS,
  finalAttemptHistoryView,
  moveFinalAttemptInsert,
  reopensFinalAttempt,
} from '../../../migrations/common/final-attempt.sql.js';

/** The final_* columns' types (SQLite keeps times as epoch ms). */
const FINAL_ATTEMPT_TYPES = {
  final_started_at: 'integer',
  final_finished_at: 'integer',
  final_status: 'integer',
  final_outcome: 'text',
  final_duration_ms: 'integer',
  final_error: 'text',
  final_excerpt: 'text',
};

/**
 * SQLite's side of PostgreSQL's 0005 (see there): the finishing attempt stays on the task row, and
 * reopening a finished task moves it into dispatchr_attempt. SQLite triggers cannot change NEW, so
 * the trigger runs after the update and clears the columns with an update of its own (which fires
 * no trigger: its new.final_outcome is null, and recursive triggers are off).
 */
export class SqliteFinalAttemptOnTask extends Migration {
  override async up(): Promise<void> {
    // SQLite adds one column per statement.
    for (const clause of addFinalAttemptColumns(FINAL_ATTEMPT_TYPES))
      this.addSql(`alter table dispatchr_task ${clause}`);
    this.addSql(`create trigger dispatchr_task_move_final_attempt after update on dispatchr_task for each row
  when ${reopensFinalAttempt}
begin
  ${moveFinalAttemptInsert};
  update dispatchr_task set ${FINAL_ATTEMPT_COLUMNS.map((column) => `${column} = null`).join(', ')} where id = new.id;
end`);
    this.addSql(finalAttemptHistoryView);
  }
}
