import { Migration } from '@mikro-orm/migrations';

/**
 * PostgreSQL's 0017 for SQLite (spec 11.1): `dispatchr_task.priority` (0 to 9, lower claimed
 * first, default 0), `dispatchr_queue_state.default_priority` (the queue's `defaultPriority`, for
 * writers that cannot see the config), and the due-order index on (queue, priority, run_at, id).
 * SQLite checks a new column's CHECK against the existing rows, which all hold the default 0.
 * The claim (drivers/sqlite/dispatch.sql.ts) reads the index one priority level at a time.
 */
export class SqlitePriority extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table dispatchr_task add column priority integer not null default 0 check (priority between 0 and 9)`,
    );
    this.addSql(
      `alter table dispatchr_queue_state add column default_priority integer not null default 0 check (default_priority between 0 and 9)`,
    );
    this.addSql(`drop index dispatchr_task_due_order_idx`);
    this.addSql(
      `create index dispatchr_task_due_order_idx on dispatchr_task (queue, priority, run_at, id) where state in ('scheduled','available','retryable')`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_task_due_order_idx`);
    this.addSql(
      `create index dispatchr_task_due_order_idx on dispatchr_task (queue, run_at, id) where state in ('scheduled','available','retryable')`,
    );
    this.addSql('alter table dispatchr_queue_state drop column default_priority');
    this.addSql('alter table dispatchr_task drop column priority');
  }
}
