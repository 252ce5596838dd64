import type { MikroORM } from '@mikro-orm/core';
import type { StorageDriver, WakeUpOptions, WakeUps } from './driver.js';
import { driverFor } from './drivers/registry.js';
import type { SqlPool } from './sql-session.js';

export { MIGRATIONS_TABLE } from './migrations-config.js';

/**
 * An open database: its driver (what the repositories ask for the SQL that differs), MikroORM for
 * the schema, and the raw SQL pool of every read and write.
 */
export interface Orm {
  driver: StorageDriver;
  /** MikroORM (schema and migrations), opened on the first call. */
  orm(): Promise<MikroORM>;
  sql: SqlPool;
  /** Wake-ups from other processes, where the database has them (null: poll). */
  listen: ((options: WakeUpOptions) => WakeUps) | null;
  close(): Promise<void>;
}

export interface InitOrmOptions {
  url: string;
  baseDir?: string;
  poolSize?: number;
  /** How long a caller waits for a pooled connection before `database_unavailable` (default 10 s). */
  acquireTimeoutMs?: number;
}

/** Opens the database the URL names, through the driver its scheme selects (no schema changes: `migrate()` does those). */
export async function initOrm(options: InitOrmOptions): Promise<Orm> {
  const driver = driverFor(options.url);
  const opened = await driver.open(options.url, {
    baseDir: options.baseDir ?? process.cwd(),
    poolSize: options.poolSize ?? 10,
    acquireTimeoutMs: options.acquireTimeoutMs ?? 10_000,
  });
  let closing: Promise<void> | undefined;
  // Closing twice (a server's shutdown, then its owner's) closes once.
  return { driver, ...opened, close: () => (closing ??= opened.close()) };
}
