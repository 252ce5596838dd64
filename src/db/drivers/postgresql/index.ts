import type { StorageDriver } from '../../driver.js';
import { postgresMigrations } from './migrations/index.js';
import { openPostgres } from './open.js';
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
  migrations: postgresMigrations,
  migratesOnOpen: false,
  oneScheduler: false,
  open: openPostgres,
  queries: postgresQueries,
};
