import { knex, type Knex } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Orm } from '../../../src/db/orm.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { TEST_PG_URL } from '../../support/postgres.js';

/**
 * A migrated PostgreSQL schema of its own, and the three kinds of application connection that
 * enqueueWithin accepts, each pointed at that schema through its search_path (as an app whose
 * Dispatchr tables live in a schema would).
 */
export interface AppDatabase {
  testDb: TestDatabase;
  /** Dispatchr's own handle (also MikroORM, for the EntityManager cases). */
  db: Orm;
  schema: string;
  /** A new pg client on the schema; closed by close(). */
  pgClient(): Promise<pg.Client>;
  pool: pg.Pool;
  knex: Knex;
  close(): Promise<void>;
}

export async function openAppDatabase(): Promise<AppDatabase> {
  const testDb = await createTestDatabase('postgresql');
  const db = await testDb.openMigrated();
  const schema = new URL(testDb.url).searchParams.get('schema')!;
  const options = `-c search_path="${schema}"`;
  const clients: pg.Client[] = [];
  const pool = new pg.Pool({ connectionString: TEST_PG_URL, options, max: 3 });
  const knexApp = knex({ client: 'pg', connection: TEST_PG_URL, searchPath: [schema], pool: { min: 0, max: 3 } });
  return {
    testDb,
    db,
    schema,
    pool,
    knex: knexApp,
    async pgClient() {
      const client = new pg.Client({ connectionString: TEST_PG_URL, options });
      await client.connect();
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await pool.end();
      await knexApp.destroy();
      await testDb.cleanup();
    },
  };
}
