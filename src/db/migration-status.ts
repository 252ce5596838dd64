import { isDatabaseUnavailable } from './db-errors.js';
import { MIGRATIONS_TABLE } from './migrations-config.js';
import type { Orm } from './orm.js';

/**
 * How far the database's schema is from this build's, read straight from the migrations table:
 * no MikroORM (a scheduler's start-up would load it for nothing) and no side effect (the Migrator
 * creates its table when it looks). `missing`: nothing applied, or no migrations table at all.
 * A database that cannot be reached throws, as any query does.
 */
export async function schemaStatus(db: Orm): Promise<{ pending: string[]; missing: boolean }> {
  let applied: Set<string>;
  try {
    const rows = await db.sql.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE}`);
    applied = new Set(rows.map((row) => String(row.name)));
  } catch (error) {
    // Only a missing table means a database never migrated; a refused login, a permission or a
    // timeout is reported as itself (never as "run dispatchr migrate").
    if (isDatabaseUnavailable(error) || !isUndefinedTable(error)) throw error;
    applied = new Set();
  }
  const pending = db.driver.migrationNames.filter((name) => !applied.has(name));
  return { pending, missing: applied.size === 0 };
}

/** PostgreSQL's undefined_table (42P01), SQLite's "no such table". */
function isUndefinedTable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '42P01' || (typeof message === 'string' && /^no such table\b/.test(message));
}
