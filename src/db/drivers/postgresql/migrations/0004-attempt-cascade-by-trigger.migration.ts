import { Migration } from '@mikro-orm/migrations';

/**
 * The attempt → task foreign key, replaced by a delete trigger that does its cascade.
 *
 * The settle updates a batch of tasks and inserts their attempt rows in one statement. The foreign
 * key's check on each inserted attempt locks its task row FOR KEY SHARE, and that row is the
 * version the same statement has just written: one more WAL record and page write per task, a
 * quarter of the settle's cost in PostgreSQL (`bench/statements.ts`: 43 → 33 µs per task). The
 * check guards nothing here: the settle inserts attempts only for the rows its own update
 * returned, and tasks are deleted only once finished, when no settle can match them (the settle's
 * compare-and-set wants state 'running'). What the key did that matters is the cascade: deleting a
 * task (DELETE /v1/tasks/{id}, retention, purge) deletes its attempts, now per statement.
 */
export class PostgresAttemptCascadeByTrigger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_attempt drop constraint dispatchr_attempt_task_id_fkey`);
    this.addSql(`
create function dispatchr_delete_attempts() returns trigger language plpgsql as $$
begin
  delete from dispatchr_attempt a using old_rows o where a.task_id = o.id;
  return null;
end $$`);
    this.addSql(`create trigger dispatchr_task_delete_attempts after delete on dispatchr_task
  referencing old table as old_rows for each statement execute function dispatchr_delete_attempts()`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger dispatchr_task_delete_attempts on dispatchr_task`);
    this.addSql(`drop function dispatchr_delete_attempts()`);
    this.addSql(
      `delete from dispatchr_attempt a where not exists (select 1 from dispatchr_task t where t.id = a.task_id)`,
    );
    this.addSql(
      `alter table dispatchr_attempt add constraint dispatchr_attempt_task_id_fkey foreign key (task_id) references dispatchr_task (id) on delete cascade`,
    );
  }
}
