import { DispatchrError } from '../errors.js';

/**
 * The app's transaction, whatever library opened it, told apart by shape so the client imports
 * none of them:
 *
 * - a MikroORM EntityManager: has `getConnection()` and `getTransactionContext()`; runs through
 *   `em.getConnection().execute(sql, params, 'all', ctx)`, which takes `?` placeholders;
 * - a knex transaction: has `raw()` (and `isTransaction`); `raw()` also takes `?` placeholders;
 * - a `pg` Client or PoolClient: has `query(text, values)` with `$n` placeholders.
 *
 * Where the library can say so, a handle that is not inside a transaction is refused here; for pg
 * the savepoint in enqueueWithin does it (SAVEPOINT fails outside a transaction block).
 */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface KnexTransactionLike {
  raw(sql: string, bindings: readonly unknown[]): PromiseLike<unknown>;
  isTransaction?: boolean;
}

export interface EntityManagerLike {
  getConnection(): { execute(sql: string, params: unknown[], method: 'all', ctx: unknown): Promise<unknown> };
  getTransactionContext(): unknown;
}

/** Any of the three; see the module comment. */
export type SqlTransaction = PgQueryable | KnexTransactionLike | EntityManagerLike;

export interface SqlRunner {
  kind: 'pg' | 'knex' | 'mikro-orm';
  /** `text` uses `$n` placeholders; converted for libraries that want `?`. */
  query(text: string, values: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';

export function sqlRunnerFor(tx: unknown): SqlRunner {
  const handle = tx as Record<string, unknown> | null;
  if ((typeof tx === 'object' || typeof tx === 'function') && handle !== null) {
    if (isFunction(handle.getConnection) && isFunction(handle.getTransactionContext)) {
      const em = tx as EntityManagerLike;
      const ctx = em.getTransactionContext();
      if (ctx === undefined || ctx === null)
        throw notInTransaction(
          'the EntityManager has no transaction: call enqueueWithin inside em.transactional(async (em) => ...) with that em',
        );
      return {
        kind: 'mikro-orm',
        async query(text, values) {
          const { sql, bindings } = toQuestionMarks(text, values);
          return rowsOf(await em.getConnection().execute(sql, bindings, 'all', ctx));
        },
      };
    }
    if (isFunction(handle.raw)) {
      const trx = tx as KnexTransactionLike;
      if (trx.isTransaction !== true)
        throw notInTransaction(
          'this knex handle is not a transaction: pass the trx of knex.transaction(async (trx) => ...)',
        );
      return {
        kind: 'knex',
        async query(text, values) {
          const { sql, bindings } = toQuestionMarks(text, values);
          return rowsOf(await trx.raw(sql, bindings));
        },
      };
    }
    if (isFunction(handle.query)) {
      // A pg.Pool runs each query on whichever connection is free: never one transaction.
      if (isFunction(handle.connect) && typeof handle.totalCount === 'number') {
        throw notInTransaction('a pg Pool is not a transaction: pass the client of pool.connect() after BEGIN');
      }
      const client = tx as PgQueryable;
      return { kind: 'pg', query: async (text, values) => rowsOf(await client.query(text, [...values])) };
    }
  }
  throw new DispatchrError(
    'unsupported_transaction',
    'enqueueWithin expects a pg client inside BEGIN, a knex transaction or a MikroORM EntityManager inside transactional()',
    { status: 500, expose: false },
  );
}

export function notInTransaction(message: string): DispatchrError {
  return new DispatchrError('not_in_transaction', message, { status: 500, expose: false });
}

/**
 * `$1, $2 ...` → `?` with the bindings in the order the placeholders appear (repeats allowed).
 * Only for our own statements, which have no `$` or `?` anywhere but in placeholders.
 */
export function toQuestionMarks(text: string, values: readonly unknown[]): { sql: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_match, n: string) => {
    bindings.push(values[Number(n) - 1]);
    return '?';
  });
  return { sql, bindings };
}

/** pg and knex answer a result with `rows`; MikroORM's execute('all') answers the rows themselves. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}
