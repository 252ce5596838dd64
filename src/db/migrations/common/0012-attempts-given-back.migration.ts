import { Migration } from '@mikro-orm/migrations';

/**
 * Attempt numbers never repeat between manual retries (spec 4.8). An interrupted attempt used to
 * be given back by lowering `attempt`, so the next claim took its number again: two attempt rows
 * shared a number, and the target saw one `Dispatchr-Attempt` twice. Now `attempt` only grows,
 * and the attempts given back are counted here instead: the budget used is
 * `attempt - attempts_given_back`. A manual retry sets both back to 0.
 *
 * The same statement on every driver; a constant default, so PostgreSQL does not rewrite the
 * table. Existing rows start at 0: their given-back attempts already lowered `attempt`.
 */
export class AttemptsGivenBack extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table dispatchr_task add column attempts_given_back integer not null default 0');
  }

  override async down(): Promise<void> {
    this.addSql('alter table dispatchr_task drop column attempts_given_back');
  }
}
