import { Migration } from '@mikro-orm/migrations';
import { FINAL_ATTEMPT_COLUMNS, finalAttemptHistoryView } from '../final-attempt.sql.js';

/**
 * SQLite's side of PostgreSQL's 0005 (see there): the finishing attempt stays on the task row, and
 * reopening a finished task moves it into dispatchr_attempt. SQLite triggers cannot change NEW, so
 * the trigger runs after the update and clears the columns with an update of its own (which fires
 * no trigger: its new.final_outcome is null, and recursive triggers are off).
 */
export class SqliteFinalAttemptOnTask extends Migration {
  override async up(): Promise<void> {
    for (const [column, type] of [
      ['final_started_at', 'integer'], ['final_finished_at', 'integer'], ['final_status', 'integer'], ['final_outcome', 'text'],
      ['final_duration_ms', 'integer'], ['final_error', 'text'], ['final_excerpt', 'text'],
    ]) {
      this.addSql(`alter table dispatchr_task add column ${column} ${type}`);
    }
    this.addSql(`create trigger dispatchr_task_move_final_attempt after update on dispatchr_task for each row
  when old.final_outcome is not null and new.final_outcome is not null and new.finalized_at is null
begin
  insert into dispatchr_attempt (task_id, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt)
  values (old.id, old.attempt, old.final_started_at, old.final_finished_at, old.final_status, old.final_outcome,
          old.final_duration_ms, old.final_error, old.final_excerpt);
  update dispatchr_task set ${FINAL_ATTEMPT_COLUMNS.map((column) => `${column} = null`).join(', ')} where id = new.id;
end`);
    this.addSql(finalAttemptHistoryView);
  }
}
