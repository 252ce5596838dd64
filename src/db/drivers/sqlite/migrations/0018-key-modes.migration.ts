import { Migration } from '@mikro-orm/migrations';

/**
 * Key modes and key retention: PostgreSQL's 0018 (read its comment for the why), with times as
 * integer milliseconds and the flag as 0/1. The index's WHERE term is the text the upserts name as
 * their conflict target (task-key-upsert.sql.ts), which is how SQLite matches a partial index.
 */
export class SqliteKeyModes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_task add column key_mode text`);
    this.addSql(`alter table dispatchr_task add column key_deadline integer`);
    this.addSql(`alter table dispatchr_task add column key_retention_ms integer`);
    this.addSql(`alter table dispatchr_task add column key_released integer not null default 0`);
    this.addSql(`drop index dispatchr_task_dedup_idx`);
    this.addSql(
      `create unique index dispatchr_task_dedup_idx on dispatchr_task (queue, dedup_key) where dedup_key is not null and (state in ('scheduled','available','retryable','running') or (key_retention_ms is not null and not key_released))`,
    );
    this.addSql(
      `create index dispatchr_task_key_release_idx on dispatchr_task (finalized_at) where key_retention_ms is not null and not key_released and state in ('completed','failed','cancelled')`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_task_key_release_idx`);
    this.addSql(`drop index dispatchr_task_dedup_idx`);
    this.addSql(
      `create unique index dispatchr_task_dedup_idx on dispatchr_task (queue, dedup_key) where dedup_key is not null and state in ('scheduled','available','retryable','running')`,
    );
    for (const column of ['key_mode', 'key_deadline', 'key_retention_ms', 'key_released'])
      this.addSql(`alter table dispatchr_task drop column ${column}`);
  }
}
