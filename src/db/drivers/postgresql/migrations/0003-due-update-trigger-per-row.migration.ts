import { Migration } from '@mikro-orm/migrations';

/**
 * The wake-up on UPDATE, per row with a WHEN clause instead of per statement over a transition
 * table. Every claim and every settle is an UPDATE of a whole batch, and none of those rows becomes
 * due (running, completed, failed): the statement trigger still built a transition table of the
 * batch and scanned it; a row trigger whose WHEN is false costs one comparison per row and never
 * calls the function. Retries, manual retry/run and rescues still notify, once per queue per
 * transaction (NOTIFY de-duplicates). Inserts keep the statement trigger: one call per insert.
 */
export class PostgresDueUpdateTriggerPerRow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function dispatchr_notify_due_row() returns trigger language plpgsql as $$
begin
  perform pg_notify('dispatchr_due', new.queue);
  return null;
end $$`);
    this.addSql(`drop trigger dispatchr_task_due_update on dispatchr_task`);
    this.addSql(`create trigger dispatchr_task_due_update after update on dispatchr_task for each row
  when (new.state = 'available' or (new.state in ('scheduled','retryable') and new.run_at <= clock_timestamp()))
  execute function dispatchr_notify_due_row()`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger dispatchr_task_due_update on dispatchr_task`);
    this.addSql(`create trigger dispatchr_task_due_update after update on dispatchr_task
  referencing new table as new_rows for each statement execute function dispatchr_notify_due()`);
    this.addSql(`drop function dispatchr_notify_due_row()`);
  }
}
