import type { MigrationObject } from '@mikro-orm/core';

/** The table MikroORM's Migrator records applied migrations in, on every driver. */
export const MIGRATIONS_TABLE = 'dispatchr_migrations';

/** MikroORM's `migrations` options for a driver's list: all or nothing, in one transaction. */
export function migratorOptions(list: readonly MigrationObject[]) {
  return {
    tableName: MIGRATIONS_TABLE,
    transactional: true,
    allOrNothing: true,
    snapshot: false,
    silent: true,
    migrationsList: [...list],
  };
}
