import type { StorageDriver } from '../../driver.js';
import { sqliteMigrations } from './migrations/index.js';
import { openSqlite } from './open.js';
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
  migrations: sqliteMigrations,
  migratesOnOpen: true,
  oneScheduler: true,
  open: openSqlite,
  queries: sqliteQueries,
};
