import { Migration } from '@mikro-orm/migrations';

/**
 * PostgreSQL's 0013 for SQLite, where JSON is stored as text (as `queues` is): each scheduler's
 * rate in force per queue, written with its heartbeat and read by the recorder (spec 4.10).
 */
export class SqliteSchedulerRates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_scheduler add column rates text not null default '{}'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table dispatchr_scheduler drop column rates');
  }
}
