import type { StorageDriver } from '../../driver.js';
import { postgresMigrationNames } from './migrations/names.js';
import { postgresQueries } from './queries.js';

/**
 * PostgreSQL: production, several schedulers and recorders on one database. Claims coordinate
 * through a per-queue advisory lock and SKIP LOCKED (dispatchr_claim(), migrations 0009-0010);
 * LISTEN/NOTIFY wakes schedulers in other processes when tasks become due.
 */
export const postgresDriver: StorageDriver = {
  name: 'postgresql',
  title: 'PostgreSQL',
  schemes: ['postgres:', 'postgresql:'],
  urlForms: ['postgres://...'],
  placeholder: (n) => `$${n}`,
  migrationNames: postgresMigrationNames,
  loadMigrations: async () => (await import('./migrations/index.js')).postgresMigrations,
  migratesOnOpen: false,
  oneScheduler: false,
  // Imported on open: MikroORM and its dialect load only for the database in use.
  open: async (url, options) => (await import('./open.js')).openPostgres(url, options),
  queries: postgresQueries,
};
