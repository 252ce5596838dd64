import type { ResolvedConfig } from '../config/load.js';
import { initOrm, type Orm } from '../db/orm.js';
import { migrate, requireCurrentSchema } from '../db/migrate.js';
import type { Logger } from '../logger.js';

/**
 * Opens the configured database for a long-running command. An embedded database (SQLite, the
 * default: StorageDriver.migratesOnOpen) is migrated on the spot so a newcomer needs no extra step;
 * a server database must be migrated explicitly (`dispatchr migrate`), since schema changes there
 * are an operator's decision.
 */
export async function openDatabaseForCommand(config: ResolvedConfig, logger: Logger): Promise<Orm> {
  const db = await initOrm({
    url: config.database.url,
    baseDir: config.source.dir,
    poolSize: config.database.poolSize,
  });
  try {
    if (db.driver.migratesOnOpen) {
      const { applied } = await migrate(db);
      if (applied.length) logger.info({ applied, database: db.driver.name }, 'migrated the embedded database');
    } else {
      await requireCurrentSchema(db);
    }
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
