import { Migration } from '@mikro-orm/migrations';

/**
 * A task's own retry settings (spec 11.3): `{ maxRetryDuration?, options? }` as the creator sent
 * them, JSON text, null when it sent none (nearly every task). Text rather than jsonb on PostgreSQL
 * so the scheduler can cache what it parsed by the exact text it read, and both drivers run the
 * same statement. Nullable without a default, so PostgreSQL does not rewrite the table.
 */
export class TaskRetry extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table dispatchr_task add column retry text');
  }

  override async down(): Promise<void> {
    this.addSql('alter table dispatchr_task drop column retry');
  }
}
