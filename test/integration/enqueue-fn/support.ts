import pg from 'pg';
import { TEST_PG_URL } from '../../support/postgres.js';

/**
 * For the dispatchr_enqueue() tests: pg clients on a test schema (its search_path set, as an app
 * whose Dispatchr tables live in a schema connects), and the call itself as an app would write it.
 */
export interface SchemaClients {
  client(): Promise<pg.Client>;
  close(): Promise<void>;
}

export function schemaOf(databaseUrl: string): string {
  const schema = new URL(databaseUrl).searchParams.get('schema');
  if (!schema) throw new Error('expected a PostgreSQL test URL with ?schema=');
  return schema;
}

export function schemaClients(schema: string): SchemaClients {
  const opened: pg.Client[] = [];
  return {
    async client() {
      const client = new pg.Client({ connectionString: TEST_PG_URL, options: `-c search_path="${schema}"` });
      await client.connect();
      opened.push(client);
      return client;
    },
    async close() {
      await Promise.all(opened.map((client) => client.end().catch(() => undefined)));
    },
  };
}

export interface EnqueuedRow {
  index: number;
  id: string;
  deduplicated: string | null;
}

/** `select * from dispatchr_enqueue($1, $2::json)` with the tasks' JSON text as given (bytes kept). */
export async function sqlEnqueue(client: pg.Client, queue: string, tasksJson: string): Promise<EnqueuedRow[]> {
  const { rows } = await client.query('select * from dispatchr_enqueue($1, $2::json)', [queue, tasksJson]);
  return rows as EnqueuedRow[];
}

/** The error a promise rejected with (a test fails when it resolved). */
export async function failureOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the call to fail');
}
