import { createHash } from 'node:crypto';
import pg from 'pg';
import { DispatchrError } from '../../../errors.js';
import {
  inTransaction,
  QUERY_DEADLINE_MS,
  queryTimeout,
  type Row,
  type SqlPool,
  type SqlSession,
} from '../../sql-session.js';

/**
 * SqlPool on node-postgres's own pool (its public API: connect, query, release). MikroORM keeps a
 * pool of its own for the schema (migrations); the recorder's and scheduler's statements run here,
 * with bound parameters and a prepared statement per text.
 */
export interface PostgresPoolOptions {
  url: string;
  schema: string | null;
  max: number;
  /** How long a caller waits for a connection (from the pool, or a new one) before `database_unavailable`. */
  acquireTimeoutMs: number;
  /** libpq `options`: the session settings of every connection. */
  sessionOptions: string;
}

export function createPostgresPool(options: PostgresPoolOptions): SqlPool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Raw SQL relies on the search_path, so ?schema= isolates a whole deployment (and each test file).
    options: options.schema ? `${options.sessionOptions} -c search_path=${options.schema}` : options.sessionOptions,
  });
  // An idle connection that breaks (a restart, a network cut) is dropped by the pool; the next
  // caller gets a new one. Without a listener the error would end the process.
  pool.on('error', () => undefined);
  // A connection that breaks while lent (its socket reset mid-query) also emits 'error', and the
  // pool listens only to idle ones: without this listener the process would end. The query in
  // flight fails on its own, and the pool drops the broken connection when it comes back.
  pool.on('connect', (client) => client.on('error', () => undefined));

  const withClient = async <T>(fn: (session: SqlSession) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    const session = clientSession(client);
    try {
      const result = await fn(session.session);
      client.release(session.broken());
      return result;
    } catch (error) {
      client.release(session.broken() ?? undefined);
      throw error;
    }
  };

  return {
    query: (sql, params) => withClient((s) => s.query(sql, params)),
    execute: (sql, params) => withClient((s) => s.execute(sql, params)),
    transaction: (fn) => withClient((tx) => inTransaction(tx, 'BEGIN', fn)),
    readWithin: (timeoutMs, fn) =>
      withClient(async (session) => {
        // One round trip for both (the simple protocol takes several statements); an integer, never text.
        const begin = `BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`;
        try {
          return await inTransaction(session, begin, fn);
        } catch (error) {
          throw isStatementTimeout(error) ? queryTimeout(timeoutMs, error) : error;
        }
      }),
    close: () => pool.end(),
  };
}

/** SQLSTATE 57014 query_canceled, as statement_timeout reports it (a cancel by the client says "user request"). */
function isStatementTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '57014' && typeof message === 'string' && message.includes('statement timeout');
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
 * One checked-out connection. A query that outlives QUERY_DEADLINE_MS fails `database_unavailable`
 * and marks the connection broken: released with an error, the pool ends it and never lends it again.
 */
function clientSession(client: pg.PoolClient): { session: SqlSession; broken(): Error | undefined } {
  let broken: Error | undefined;
  const run = async (sql: string, params?: readonly unknown[]) => {
    if (broken) throw broken;
    const config =
      params && params.length > 0 ? { text: sql, values: [...params], name: statementName(sql) } : { text: sql };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        broken = new DispatchrError(
          'database_unavailable',
          `the database did not answer within ${QUERY_DEADLINE_MS} ms`,
          {
            status: 503,
          },
        );
        reject(broken);
      }, QUERY_DEADLINE_MS);
    });
    try {
      return await Promise.race([client.query<Row>(config), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    session: {
      query: async <T>(sql: string, params?: readonly unknown[]) => (await run(sql, params)).rows as T[],
      execute: async (sql, params) => (await run(sql, params)).rowCount ?? 0,
    },
    broken: () => broken,
  };
}
