import { Migration } from '@mikro-orm/migrations';

/**
 * PostgreSQL's 0020 for SQLite (see there): the stored result (bytes as a blob), the task's own
 * callback targets as JSON text, and `callback_of` (a task id as text). One column per statement:
 * SQLite's `alter table` adds one at a time.
 */
const COLUMNS = [
  'result_body blob',
  'result_content_type text',
  'on_complete text',
  'on_failure text',
  'callback_of text',
];

export class SqliteResultsAndCallbacks extends Migration {
  override async up(): Promise<void> {
    for (const column of COLUMNS) this.addSql(`alter table dispatchr_task add column ${column}`);
  }

  override async down(): Promise<void> {
    for (const column of COLUMNS) this.addSql(`alter table dispatchr_task drop column ${column.split(' ')[0]}`);
  }
}
