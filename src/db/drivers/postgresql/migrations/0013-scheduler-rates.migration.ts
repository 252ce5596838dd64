import { Migration } from '@mikro-orm/migrations';

/**
 * Each scheduler writes, with its heartbeat, the rate it enforces per queue it serves (queue →
 * dispatches per second, `null` = unlimited), so the recorder reads the rate in force from the
 * database, where the two meet, instead of from a scheduler's metrics endpoint (spec 4.10).
 * A constant default, so PostgreSQL does not rewrite the table; existing rows read as "no rates
 * known" until their next heartbeat.
 */
export class PostgresSchedulerRates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_scheduler add column rates jsonb not null default '{}'::jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table dispatchr_scheduler drop column rates');
  }
}
