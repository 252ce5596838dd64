import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import { DispatchrError } from '../errors.js';
import type { Dialect } from './database-url.js';

/**
 * Raw SQL on the driver's own connections, borrowed from MikroORM's pool. The hot paths (claim,
 * complete) need real bound parameters, prepared statements and explicit transactions (BEGIN
 * IMMEDIATE on SQLite), which the ORM's `execute()` does not give: it inlines parameters as text.
 * Statements are written per dialect: `$1` placeholders for PostgreSQL, `?` for SQLite.
 */
export type Row = Record<string, unknown>;

export interface SqlSession {
  readonly dialect: Dialect;
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement and answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlPool extends SqlSession {
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Reads on one connection, each statement stopped by the server after `timeoutMs`: on PostgreSQL
   * a READ ONLY transaction with `SET LOCAL statement_timeout`, so the limit ends with it and never
   * reaches the pool's other users. A statement stopped so is `query_timeout` (503). SQLite has no
   * such setting (its driver runs a statement to its end): there the caller bounds the rows read.
   */
  readWithin<T>(timeoutMs: number, fn: (session: SqlSession) => Promise<T>): Promise<T>;
}

/** SQLSTATE 57014 query_canceled, as statement_timeout reports it (a cancel by the client says "user request"). */
function isStatementTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '57014' && typeof message === 'string' && message.includes('statement timeout');
}

export function queryTimeout(timeoutMs: number, cause: unknown): DispatchrError {
  return new DispatchrError(
    'query_timeout',
    `the read ran longer than recorder.readTimeout (${timeoutMs} ms) and was stopped; narrow the filter (queue, state, since/until) or retry later`,
    { status: 503, expose: true, cause },
  );
}

interface PgClient {
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: Row[]; rowCount: number | null }>;
}
interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  inTransaction: boolean;
}
interface KnexClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

export function createSqlPool(orm: MikroORM, dialect: Dialect): SqlPool {
  const knexClient = (orm.em.getConnection() as unknown as { getKnex(): { client: KnexClient } }).getKnex().client;
  const sessionOf = dialect === 'postgresql' ? postgresSession : sqliteSession;
  const withConnection = async <T>(fn: (connection: unknown) => Promise<T>): Promise<T> => {
    const connection = await knexClient.acquireConnection();
    try {
      return await fn(connection);
    } finally {
      await knexClient.releaseConnection(connection);
    }
  };
  return {
    dialect,
    query: (sql, params) => withConnection((c) => sessionOf(c).query(sql, params)),
    execute: (sql, params) => withConnection((c) => sessionOf(c).execute(sql, params)),
    transaction: (fn) =>
      withConnection(async (connection) => {
        const tx = sessionOf(connection);
        await tx.execute(dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
        try {
          const result = await fn(tx);
          await tx.execute('COMMIT');
          return result;
        } catch (error) {
          await tx.execute('ROLLBACK').catch(() => undefined); // the connection may be gone; the error below says why
          throw error;
        }
      }),
    readWithin: (timeoutMs, fn) =>
      withConnection(async (connection) => {
        const session = sessionOf(connection);
        if (dialect === 'sqlite') return fn(session);
        // One round trip for both (the simple protocol takes several statements); an integer, never text.
        await session.execute(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        try {
          const result = await fn(session);
          await session.execute('COMMIT');
          return result;
        } catch (error) {
          await session.execute('ROLLBACK').catch(() => undefined);
          throw isStatementTimeout(error) ? queryTimeout(timeoutMs, error) : error;
        }
      }),
  };
}

/** Named statements are prepared once per connection by pg; the name is a hash of the text. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `dispatchr_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A query that outlives this deadline gets its connection destroyed. A database that vanishes
 * without a reset (a crashed host, a failover to a new address) never answers and never closes the
 * socket; without a deadline every pooled connection would wait forever and the process would never
 * dispatch again. No query of ours legitimately runs this long: claims and settles take
 * milliseconds, retention and bulk retry work in small batches.
 */
export const QUERY_DEADLINE_MS = 15_000;

function postgresSession(connection: unknown): SqlSession {
  const client = connection as PgClient & { __knex__disposed?: unknown; connection?: { stream?: { destroy(): void } } };
  const prepare = (sql: string, params?: readonly unknown[]) =>
    params && params.length > 0 ? { text: sql, values: [...params], name: statementName(sql) } : { text: sql };
  const run = async (sql: string, params?: readonly unknown[]) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Marked for the pool (knex drops disposed connections on their next acquire) and cut.
        client.__knex__disposed = 'query deadline exceeded';
        client.connection?.stream?.destroy();
        reject(
          new DispatchrError('database_unavailable', `the database did not answer within ${QUERY_DEADLINE_MS} ms`, {
            status: 503,
          }),
        );
      }, QUERY_DEADLINE_MS);
    });
    try {
      return await Promise.race([client.query(prepare(sql, params)), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    dialect: 'postgresql',
    query: async <T>(sql: string, params?: readonly unknown[]) => (await run(sql, params)).rows as T[],
    execute: async (sql, params) => (await run(sql, params)).rowCount ?? 0,
  };
}

const statementCache = new WeakMap<SqliteDb, Map<string, SqliteStatement>>();
function sqliteSession(connection: unknown): SqlSession {
  const db = connection as SqliteDb;
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  const statement = (sql: string): SqliteStatement => {
    let prepared = cache.get(sql);
    if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
    return prepared;
  };
  return {
    dialect: 'sqlite',
    query: async <T>(sql: string, params?: readonly unknown[]) => {
      const stmt = statement(sql);
      const values = (params ?? []).map(toSqliteValue);
      return (stmt.reader ? stmt.all(...values) : (stmt.run(...values), [])) as T[];
    },
    execute: async (sql, params) => {
      if (/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(sql)) {
        db.exec(sql);
        return 0;
      }
      const stmt = statement(sql);
      const values = (params ?? []).map(toSqliteValue);
      if (stmt.reader) return stmt.all(...values).length;
      return stmt.run(...values).changes;
    },
  };
}

/** SQLite stores times as integer milliseconds and booleans as 0/1. */
function toSqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}
