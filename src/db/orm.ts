import { MikroORM as PostgresORM, defineConfig as definePostgresConfig } from '@mikro-orm/postgresql';
import { MikroORM as SqliteORM, defineConfig as defineSqliteConfig } from '@mikro-orm/better-sqlite';
import { Migrator } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/core';
import { ALL_ENTITIES } from './entities/index.js';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url.js';
import { postgresMigrations, sqliteMigrations } from './migrations/index.js';
import { createSqlPool, type SqlPool } from './sql-pool.js';

export const MIGRATIONS_TABLE = 'dispatchr_migrations';
/** SQLite waits this long for another process's write lock before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** Settings of every PostgreSQL session (why: at `driverOptions.connection` below). The backslash
 *  keeps the space inside one setting (libpq's options syntax). */
const CONNECTION_OPTIONS =
  '-c jit=off -c default_transaction_isolation=read\\ committed -c client_connection_check_interval=1000';

export interface Orm {
  orm: MikroORM;
  target: DatabaseTarget;
  sql: SqlPool;
  close(): Promise<void>;
}

export interface InitOrmOptions {
  url: string;
  baseDir?: string;
  poolSize?: number;
  /** PostgreSQL: how long a caller waits for a pooled connection before `database_unavailable` (default 10 s). */
  acquireTimeoutMs?: number;
}

/** Opens the database (no schema changes: `migrate()` does those). */
export async function initOrm(options: InitOrmOptions): Promise<Orm> {
  const target = parseDatabaseUrl(options.url, options.baseDir ?? process.cwd());
  const migrations = {
    tableName: MIGRATIONS_TABLE,
    transactional: true,
    allOrNothing: true,
    snapshot: false,
    silent: true,
    migrationsList: target.dialect === 'postgresql' ? postgresMigrations : sqliteMigrations,
  };
  let orm: MikroORM;
  if (target.dialect === 'postgresql') {
    orm = await PostgresORM.init(
      definePostgresConfig({
        clientUrl: target.url,
        ...(target.schema ? { schema: target.schema } : {}),
        entities: ALL_ENTITIES,
        extensions: [Migrator],
        migrations,
        allowGlobalContext: false,
        pool: { min: 0, max: options.poolSize ?? 10 },
        // Raw SQL relies on the search_path, so ?schema= isolates a whole deployment (and each test file).
        driverOptions: {
          ...(target.schema ? { searchPath: [target.schema] } : {}),
          // Fail fast instead of hanging when the database is away: a new connection gets 5 s, a
          // caller waits at most 10 s for a pooled one, and keep-alive notices dead peers.
          acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
          // JIT off: every Dispatchr statement is short, and compiling one whose estimate passes
          // jit_above_cost (a search or count over a large history) took 200-300 ms against a
          // 5-70 ms execution (bench/NOTES.md).
          // READ COMMITTED whatever the role's or database's default: the claim's running count and
          // the settle's compare-and-set rely on each statement seeing what committed before it
          // (dispatchr_claim(), migration 0009, reads after taking the queue's lock).
          // client_connection_check_interval: a claim whose caller has gone (its query deadline cut
          // the connection, the network dropped) is cancelled while it waits, not committed with
          // tasks leased to nobody who will send them.
          connection: {
            connectionTimeoutMillis: 5_000,
            keepAlive: true,
            keepAliveInitialDelayMillis: 10_000,
            options: CONNECTION_OPTIONS,
          },
        },
        discovery: { warnWhenNoEntities: false },
        debug: false,
      }),
    );
  } else {
    orm = await SqliteORM.init(
      defineSqliteConfig({
        dbName: target.filename,
        entities: ALL_ENTITIES,
        extensions: [Migrator],
        migrations,
        allowGlobalContext: false,
        pool: {
          min: 1,
          max: 1,
          // One connection per process: WAL lets readers in other processes work beside a writer;
          // the busy timeout makes a second process wait for the write lock instead of failing.
          afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
            try {
              if (target.filename !== ':memory:') conn.pragma('journal_mode = WAL');
              conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
              conn.pragma('foreign_keys = ON');
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
  }
  const sql = createSqlPool(orm, target.dialect);
  return {
    orm,
    target,
    sql,
    close: () => orm.close(true),
  };
}
