import { Migration } from '@mikro-orm/migrations';

/**
 * Per-minute activity (GET /v1/activity) counts the attempts that ended in each minute of the last
 * hour or day and led to another attempt. Without an index by time that read every attempt row
 * ever kept. Only attempts that do not finish their task are rows (migration 0005), so a task that
 * completes at its first attempt adds no entry: the index costs only retried tasks. The same
 * statement on every driver.
 */
export class AttemptFinishedIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index dispatchr_attempt_finished_idx on dispatchr_attempt (finished_at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index dispatchr_attempt_finished_idx`);
  }
}
