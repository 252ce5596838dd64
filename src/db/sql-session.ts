import { DispatchrError } from '../errors.js';

/**
 * Raw SQL on a driver's own connections. The hot paths (claim, settle, create) need real bound
 * parameters, prepared statements and explicit transactions (BEGIN IMMEDIATE on SQLite), which the
 * ORM's `execute()` does not give: it inlines parameters as text. Each driver implements these on
 * its database library's public API (src/db/drivers/<name>/session.ts); statements are written with
 * the driver's placeholders (`StorageDriver.placeholder`, through SqlParams).
 */
export type Row = Record<string, unknown>;

export interface SqlSession {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement and answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlPool extends SqlSession {
  /** One transaction on one connection: committed when `fn` resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Reads on one connection, each statement stopped by the server after `timeoutMs` where the
   * database can do that (the statement is then `query_timeout`, 503) and the limit never reaches
   * the pool's other users. A database that cannot runs the statement to its end: there the caller
   * bounds the rows read.
   */
  readWithin<T>(timeoutMs: number, fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Closes every connection; later calls fail. */
  close(): Promise<void>;
}

export function queryTimeout(timeoutMs: number, cause: unknown): DispatchrError {
  return new DispatchrError(
    'query_timeout',
    `the read ran longer than recorder.readTimeout (${timeoutMs} ms) and was stopped; narrow the filter (queue, state, since/until) or retry later`,
    { status: 503, expose: true, cause },
  );
}

/**
 * A query that outlives this deadline gets its connection thrown away. A database that vanishes
 * without a reset (a crashed host, a failover to a new address) never answers and never closes the
 * socket; without a deadline every pooled connection would wait forever and the process would never
 * dispatch again. No query of ours legitimately runs this long: claims and settles take
 * milliseconds, retention and bulk retry work in small batches.
 */
export const QUERY_DEADLINE_MS = 15_000;

/**
 * Runs `fn` on one session between `begin` and COMMIT; rolls back and rethrows when it throws (the
 * connection may be gone: then the rollback fails too, and the first error says why).
 */
export async function inTransaction<T>(tx: SqlSession, begin: string, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
  await tx.execute(begin);
  try {
    const result = await fn(tx);
    await tx.execute('COMMIT');
    return result;
  } catch (error) {
    await tx.execute('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Placeholders in the driver's style, numbered in the order values are added. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly placeholder: (n: number) => string) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.placeholder(this.values.length);
  }
}

/** A statement and its bound values. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}
