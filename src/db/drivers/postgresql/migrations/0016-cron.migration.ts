import { Migration } from '@mikro-orm/migrations';

/**
 * Cron (docs/spec.md, "Cron"): the entries, one row each, whose `next_fire_at` advances by
 * compare-and-set in the transaction that creates the fire's task; and the record of each
 * (entry, fire time), whose primary key makes a second task for one fire time impossible whatever
 * the schedulers do. A task remembers the entry and fire time that created it.
 */
export class PostgresCron extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatchr_task add column cron text, add column cron_fire_at timestamptz`);
    // An entry's runs, newest first (its history page); tasks of no entry have no index entry.
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
  enabled boolean not null,
  paused boolean not null default false,
  orphaned boolean not null default false,
  next_fire_at timestamptz,
  last_fire_at timestamptz,
  last_task_id uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null
)`);
    this.addSql(
      `create index dispatchr_cron_entry_due_idx on dispatchr_cron_entry (next_fire_at) where enabled and not paused and not orphaned`,
    );
    this.addSql(`
create table dispatchr_cron_fire (
  entry text not null,
  kind text not null check (kind in ('scheduled', 'manual')),
  fire_at timestamptz not null,
  outcome text not null check (outcome in ('fired', 'skipped')),
  task_id uuid,
  created_at timestamptz not null,
  primary key (entry, fire_at, kind)
)`);
    this.addSql(`create index dispatchr_cron_fire_age_idx on dispatchr_cron_fire (fire_at)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table dispatchr_cron_fire');
    this.addSql('drop table dispatchr_cron_entry');
    this.addSql('drop index dispatchr_task_cron_idx');
    this.addSql('alter table dispatchr_task drop column cron, drop column cron_fire_at');
  }
}
