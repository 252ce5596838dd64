import { Migration } from '@mikro-orm/migrations';

/**
 * Stored results and callbacks (docs/spec.md 11.4, 11.5). The final attempt's response body (up to
 * the queue's `response.maxBytes`) and content type, written only by the settle of a task that keeps
 * more than the excerpt or has a callback, so other rows hold nulls and the hot settle is unchanged;
 * they go with the row when retention prunes the task. `on_complete` / `on_failure` hold a task's
 * own callback target as JSON text ({"queue","path"}); `callback_of` marks a callback task (the task
 * it reports on), and a marked task never gets a callback of its own. No index: nothing searches them.
 * Nullable columns without defaults: PostgreSQL does not rewrite the table.
 */
export class PostgresResultsAndCallbacks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_task add column result_body bytea, add column result_content_type text,
      add column on_complete text, add column on_failure text, add column callback_of uuid`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table dispatchr_task drop column result_body, drop column result_content_type,
      drop column on_complete, drop column on_failure, drop column callback_of`);
  }
}
