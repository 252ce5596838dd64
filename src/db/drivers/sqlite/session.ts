import { inTransaction, type Row, type SqlPool, type SqlSession } from '../../sql-session.js';

/**
 * SqlPool on the process's one better-sqlite3 connection (the one MikroORM's pool opened: a
 * `:memory:` database lives exactly as long as it). better-sqlite3 is synchronous, so a statement
 * never interleaves with another; what needs ordering is a transaction, which spans awaits: every
 * use of the connection waits its turn in one queue, so no statement lands inside another caller's
 * transaction. Statements are prepared once per text.
 */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  readonly open: boolean;
}
interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number };
}

export function createSqlitePool(connect: () => Promise<SqliteConnection>): SqlPool {
  let turn: Promise<unknown> = Promise.resolve();
  let session: SqlSession | undefined;
  let closed = false;

  /** Runs `fn` when every earlier use of the connection has finished. */
  const inTurn = <T>(fn: (session: SqlSession) => Promise<T>): Promise<T> => {
    const run = turn.then(async () => {
      if (closed) throw new Error('the database is closed');
      session ??= connectionSession(await connect());
      return fn(session);
    });
    turn = run.catch(() => undefined);
    return run;
  };

  return {
    query: (sql, params) => inTurn((s) => s.query(sql, params)),
    execute: (sql, params) => inTurn((s) => s.execute(sql, params)),
    transaction: (fn) =>
      // IMMEDIATE takes the write lock now: a transaction that reads and then writes cannot
      // deadlock against another process's (SQLITE_BUSY after the busy timeout instead).
      inTurn((tx) => inTransaction(tx, 'BEGIN IMMEDIATE', fn)),
    // SQLite has no statement timeout (a statement runs to its end): the caller bounds the rows read.
    readWithin: (_timeoutMs, fn) => inTurn(fn),
    async close() {
      closed = true;
      await turn;
    },
  };
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)/i;

function connectionSession(db: SqliteConnection): SqlSession {
  const cache = new Map<string, SqliteStatement>();
  const statement = (sql: string): SqliteStatement => {
    let prepared = cache.get(sql);
    if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
    return prepared;
  };
  return {
    query: async <T>(sql: string, params?: readonly unknown[]) => {
      const stmt = statement(sql);
      const values = (params ?? []).map(toSqliteValue);
      return (stmt.reader ? stmt.all(...values) : (stmt.run(...values), [])) as T[];
    },
    execute: async (sql, params) => {
      if (TRANSACTION_CONTROL.test(sql)) {
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
