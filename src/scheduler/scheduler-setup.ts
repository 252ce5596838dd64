import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../config/load.js';
import { requireCurrentSchema } from '../db/migrate.js';
import { initOrm, type Orm } from '../db/orm.js';
import { DispatchrError } from '../errors.js';

// What a scheduler checks and opens before it builds anything: its queues, its database, its id.

/** The queues to serve (default: every configured one); an unknown name is a usage error. */
export function servedQueueNames(config: ResolvedConfig, requested: string[] | undefined): string[] {
  const names = requested ?? Object.keys(config.queues);
  const unknown = names.filter((name) => !config.queues[name]);
  if (unknown.length) {
    throw new DispatchrError(
      'usage',
      `unknown queue${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (configured: ${Object.keys(config.queues).join(', ') || 'none'})`,
      { status: 2 },
    );
  }
  return names;
}

/**
 * The given database, or one opened from config (then `owned`: closed on stop); either way at the
 * current schema, else refused (and an opened one closed again).
 */
export async function openSchedulerDb(
  config: ResolvedConfig,
  given: Orm | undefined,
): Promise<{ db: Orm; owned: boolean }> {
  const owned = given === undefined;
  const db =
    given ??
    (await initOrm({ url: config.database.url, baseDir: config.source.dir, poolSize: config.database.poolSize }));
  try {
    await requireCurrentSchema(db);
  } catch (error) {
    if (owned) await db.close();
    throw error;
  }
  return { db, owned };
}

/** The given id, else the configured one, else host, pid and a random suffix. */
export function schedulerIdOf(config: ResolvedConfig, given: string | undefined): string {
  return given ?? config.scheduler.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
