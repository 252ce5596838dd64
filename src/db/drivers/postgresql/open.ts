import type { MikroORM } from '@mikro-orm/postgresql';
import { DispatchrError } from '../../../errors.js';
import type { OpenOptions, OpenedDatabase } from '../../driver.js';
import { migratorOptions } from '../../migrations-config.js';
import { createPostgresPool } from './session.js';
import { createPostgresWakeUps } from './wake-ups.js';

/**
 * Settings of every PostgreSQL session, ours and MikroORM's. The backslash keeps the space inside
 * one setting (libpq's options syntax).
 * - JIT off: every Dispatchr statement is short, and compiling one whose estimate passes
 *   jit_above_cost (a search or count over a large history) took 200-300 ms against a 5-70 ms
 *   execution (bench/NOTES.md).
 * - READ COMMITTED whatever the role's or database's default: the claim's running count and the
 *   settle's compare-and-set rely on each statement seeing what committed before it
 *   (dispatchr_claim(), migration 0009, reads after taking the queue's lock).
 * - client_connection_check_interval: a claim whose caller has gone (its query deadline cut the
 *   connection, the network dropped) is cancelled while it waits, not committed with tasks leased
 *   to nobody who will send them.
 */
const SESSION_OPTIONS =
  '-c jit=off -c default_transaction_isolation=read\\ committed -c client_connection_check_interval=1000';

/** `postgres://user:pw@host:port/db[?schema=name]`: the URL without ?schema=, and the schema. */
export function parsePostgresUrl(url: string): { url: string; schema: string | null } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new DispatchrError('config_invalid', 'database.url: schema must be a plain identifier', {
      status: 2,
      details: [{ path: 'database.url', message: 'expected ?schema= to be a plain identifier (letters, digits, _)' }],
    });
  }
  return { url: parsed.toString(), schema };
}

/**
 * Two pools: node-postgres's for the statements (session.ts), and MikroORM's, of one connection
 * opened on demand, for the Migrator. MikroORM is imported and started only when the Migrator is
 * needed (`dispatchr migrate`, tests): loading it took about half of a scheduler's start-up, and
 * the schema check reads the migrations table directly (migration-status.ts). Fail fast instead of
 * hanging when the database is away: a caller waits at most `acquireTimeoutMs` for a connection,
 * and keep-alive notices dead peers.
 */
export async function openPostgres(url: string, options: OpenOptions): Promise<OpenedDatabase> {
  const target = parsePostgresUrl(url);
  const sql = createPostgresPool({
    url: target.url,
    schema: target.schema,
    max: options.poolSize,
    acquireTimeoutMs: options.acquireTimeoutMs,
    sessionOptions: SESSION_OPTIONS,
  });
  let orm: Promise<MikroORM> | undefined;
  return {
    // A start that failed (the database down) is tried again by the next call.
    orm: () =>
      (orm ??= startMikroOrm(target, options).catch((error: unknown) => {
        orm = undefined;
        throw error;
      })),
    sql,
    listen: (wakeUpOptions) => createPostgresWakeUps({ ...wakeUpOptions, url: target.url }),
    async close() {
      await sql.close();
      if (orm) await (await orm.catch(() => null))?.close(true);
    },
  };
}

async function startMikroOrm(target: { url: string; schema: string | null }, options: OpenOptions): Promise<MikroORM> {
  const [{ MikroORM, defineConfig }, { Migrator }, { postgresMigrations }] = await Promise.all([
    import('@mikro-orm/postgresql'),
    import('@mikro-orm/migrations'),
    import('./migrations/index.js'),
  ]);
  return MikroORM.init(
    defineConfig({
      clientUrl: target.url,
      ...(target.schema ? { schema: target.schema } : {}),
      entities: [],
      extensions: [Migrator],
      migrations: migratorOptions(postgresMigrations),
      allowGlobalContext: false,
      pool: { min: 0, max: 1 },
      driverOptions: {
        ...(target.schema ? { searchPath: [target.schema] } : {}),
        acquireConnectionTimeout: options.acquireTimeoutMs,
        connection: { connectionTimeoutMillis: 5_000, keepAlive: true, options: SESSION_OPTIONS },
      },
      discovery: { warnWhenNoEntities: false },
      debug: false,
    }),
  );
}
