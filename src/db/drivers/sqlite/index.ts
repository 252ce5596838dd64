import type { StorageDriver } from '../../driver.js';
import { sqliteMigrationNames } from './migrations/names.js';
import { sqliteQueries } from './queries.js';

/**
 * SQLite: the embedded default, so a newcomer runs everything with no server. One writer at a
 * time: one scheduler per database file, claims in immediate transactions, and schedulers in other
 * processes poll instead of being woken.
 */
export const sqliteDriver: StorageDriver = {
  name: 'sqlite',
  title: 'SQLite',
  schemes: ['sqlite:'],
  urlForms: ['sqlite:<file>', 'sqlite::memory:'],
  placeholder: () => '?',
  migrationNames: sqliteMigrationNames,
  loadMigrations: async () => (await import('./migrations/index.js')).sqliteMigrations,
  migratesOnOpen: true,
  oneScheduler: true,
  // Imported on open: MikroORM and its dialect load only for the database in use.
  open: async (url, options) => (await import('./open.js')).openSqlite(url, options),
  queries: sqliteQueries,
};
