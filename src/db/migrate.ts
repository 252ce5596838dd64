import type { Migrator } from '@mikro-orm/migrations';
import type { Migration } from '@mikro-orm/migrations';
import { DispatchrError } from '../errors.js';
import { schemaStatus } from './migration-status.js';
import type { Orm } from './orm.js';

export interface MigrateResult {
  applied: string[];
  /** With dryRun: the SQL that would run, per migration. */
  statements: { migration: string; sql: string[] }[];
}

async function migrator(db: Orm): Promise<Migrator> {
  return (await db.orm()).getMigrator() as unknown as Migrator;
}

/** Applies pending migrations in one transaction; a second run changes nothing. */
export async function migrate(db: Orm, options: { dryRun?: boolean } = {}): Promise<MigrateResult> {
  const pending = await (await migrator(db)).getPendingMigrations();
  if (options.dryRun) {
    const orm = await db.orm();
    const list = orm.config.get('migrations').migrationsList ?? [];
    const statements = pending.map((entry) => {
      const found = list.find((item) => 'name' in item && item.name === entry.name) as
        { name: string; class: new (...args: unknown[]) => Migration } | undefined;
      if (!found) return { migration: entry.name, sql: [] };
      const instance = new found.class(orm.em.getDriver(), orm.config);
      void instance.up();
      return { migration: entry.name, sql: instance.getQueries().map((query) => String(query).trim()) };
    });
    return { applied: [], statements };
  }
  const applied = await (await migrator(db)).up();
  return { applied: applied.map((entry) => entry.name), statements: [] };
}

export async function pendingMigrations(db: Orm): Promise<string[]> {
  return (await (await migrator(db)).getPendingMigrations()).map((entry) => entry.name);
}

/** Every command that needs the schema calls this first (the migrations table read directly: schemaStatus). */
export async function requireCurrentSchema(db: Orm): Promise<void> {
  const { pending, missing } = await schemaStatus(db);
  if (pending.length > 0) {
    throw new DispatchrError(
      'schema_outdated',
      `the database schema is ${missing ? 'missing' : 'old'} (${pending.length} pending migration${pending.length > 1 ? 's' : ''}): run dispatchr migrate`,
      { status: 503 },
    );
  }
}
