import path from 'node:path';
import { MikroORM, defineConfig } from '@mikro-orm/better-sqlite';
import { Migrator } from '@mikro-orm/migrations';
import type { OpenOptions, OpenedDatabase } from '../../driver.js';
import { migratorOptions } from '../../migrations-config.js';
import { sqliteMigrations } from './migrations/index.js';
import { createSqlitePool, type SqliteConnection } from './session.js';

/** SQLite waits this long for another process's write lock before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** `sqlite:./file.db` (relative to `baseDir`, the config file's folder) or `sqlite::memory:`. */
export function sqliteFilename(url: string, baseDir: string): string {
  const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return path.resolve(baseDir, rest);
}

/**
 * One connection per process, opened by MikroORM's pool (its Migrator runs on it) and handed to
 * the statements through the pool's documented `afterCreate` hook: WAL lets readers in other
 * processes work beside a writer; the busy timeout makes a second process wait for the write lock
 * instead of failing.
 */
export async function openSqlite(url: string, options: OpenOptions): Promise<OpenedDatabase> {
  const filename = sqliteFilename(url, options.baseDir);
  let connection: SqliteConnection | undefined;
  const orm = await MikroORM.init(
    defineConfig({
      dbName: filename,
      entities: [],
      extensions: [Migrator],
      migrations: migratorOptions(sqliteMigrations),
      allowGlobalContext: false,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (
          conn: SqliteConnection & { pragma(sql: string): unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          try {
            if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
            conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
            conn.pragma('foreign_keys = ON');
            connection = conn;
            done(null, conn);
          } catch (error) {
            done(error as Error, conn);
          }
        },
        // Never recycle the connection: a :memory: database lives exactly as long as it.
        idleTimeoutMillis: 2 ** 31 - 1,
      } as never,
      discovery: { warnWhenNoEntities: false },
      debug: false,
    }),
  );
  const sql = createSqlitePool(async () => {
    if (!connection?.open) await orm.isConnected(); // a query through the ORM's pool opens its connection
    if (!connection?.open) throw new Error(`the SQLite database ${filename} did not open`);
    return connection;
  });
  return {
    orm: async () => orm,
    sql,
    listen: null, // one process at a time writes; schedulers poll
    async close() {
      await sql.close();
      await orm.close(true);
    },
  };
}
