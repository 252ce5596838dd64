import { Migration } from '@mikro-orm/migrations';

/**
 * Key modes and key retention (docs/spec.md 11.2). `key_mode` is the mode the task was created
 * with (null: keep), `key_deadline` the latest due time a debounce may give it (created_at +
 * keyMaxWait), `key_retention_ms` how long the key stays reserved after the task finishes.
 *
 * Retention is kept by the unique index itself rather than by the paths that finish a task
 * (settle, rescue, cancel, bulk cancel, retry): a finished task with a retention stays in the
 * index until a create that meets it after `finalized_at + key_retention_ms` sets `key_released`
 * (task-keys.repository.ts), or the retention loop releases it in batches, oldest first, through
 * dispatchr_task_key_release_idx: an index of the finished rows still reserving a key, so it stays
 * as small as the keys reserved right now. No finishing path had to change, and a row pruned by
 * retention frees its key with it. An unfinished task is in the index whatever `key_released` says, so a manual
 * retry of a released task still cannot make two unfinished holders.
 */
export class PostgresKeyModes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_task add column key_mode text, add column key_deadline timestamptz,
  add column key_retention_ms integer, add column key_released boolean not null default false`);
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
    this.addSql(`alter table dispatchr_task drop column key_mode, drop column key_deadline,
  drop column key_retention_ms, drop column key_released`);
  }
}
