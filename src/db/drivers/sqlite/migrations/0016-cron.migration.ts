import { Migration } from '@mikro-orm/migrations';

/** PostgreSQL's 0016 (cron) for SQLite: times as integer milliseconds, booleans as 0/1. */
export class SqliteCron extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_task add column cron text`);
    this.addSql(`alter table dispatchr_task add column cron_fire_at integer`);
    this.addSql(
      `create index dispatchr_task_cron_idx on dispatchr_task (cron, cron_fire_at desc) where cron is not null`,
    );
    this.addSql(`
create table dispatchr_cron_entry (
  name text primary key,
  source text not null check (source in ('config', 'api')),
  definition text not null,
  definition_hash text not null,
  queue text not null,
  enabled integer not null,
  paused integer not null default 0,
  orphaned integer not null default 0,
  next_fire_at integer,
  last_fire_at integer,
  last_task_id text,
  created_at integer not null,
  updated_at integer not null
)`);
    this.addSql(
      `create index dispatchr_cron_entry_due_idx on dispatchr_cron_entry (next_fire_at) where enabled = 1 and paused = 0 and orphaned = 0`,
    );
    this.addSql(`
create table dispatchr_cron_fire (
  entry text not null,
  kind text not null check (kind in ('scheduled', 'manual')),
  fire_at integer not null,
  outcome text not null check (outcome in ('fired', 'skipped')),
  task_id text,
  created_at integer not null,
  primary key (entry, fire_at, kind)
)`);
    this.addSql(`create index dispatchr_cron_fire_age_idx on dispatchr_cron_fire (fire_at)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table dispatchr_cron_fire');
    this.addSql('drop table dispatchr_cron_entry');
    this.addSql('drop index dispatchr_task_cron_idx');
    this.addSql('alter table dispatchr_task drop column cron_fire_at');
    this.addSql('alter table dispatchr_task drop column cron');
  }
}
