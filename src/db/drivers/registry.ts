import { DispatchrError } from '../../errors.js';
import type { StorageDriver } from '../driver.js';
import { postgresDriver } from './postgresql/index.js';
import { sqliteDriver } from './sqlite/index.js';

/**
 * Every storage driver, by URL scheme: the one place that names the databases Dispatchr runs on.
 * Adding a database is a folder under src/db/drivers/ and one entry here (and one in the test
 * matrix, test/support/databases.ts).
 */
export const STORAGE_DRIVERS: readonly StorageDriver[] = [sqliteDriver, postgresDriver];

export function driverFor(url: string): StorageDriver {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0].toLowerCase();
  const driver = scheme === undefined ? undefined : STORAGE_DRIVERS.find((d) => d.schemes.includes(scheme));
  if (driver) return driver;
  const forms = STORAGE_DRIVERS.flatMap((d) => d.urlForms);
  throw new DispatchrError('config_invalid', 'database.url: unsupported database', {
    status: 2,
    details: [{ path: 'database.url', message: `expected ${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}` }],
  });
}
