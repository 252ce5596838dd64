import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const TEST_PG_URL = process.env.DISPATCHR_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

function display(url: string): string {
  const parsed = new URL(url);
  parsed.password = parsed.password ? '***' : '';
  return parsed.toString();
}

export async function probePostgres(): Promise<{ ok: boolean; display: string; reason?: string }> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, display: display(TEST_PG_URL) };
  } catch (error) {
    return { ok: false, display: display(TEST_PG_URL), reason: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when the global setup found PostgreSQL (and under CI it must have). */
export const postgresAvailable = (): boolean => process.env.DISPATCHR_TEST_PG_AVAILABLE === '1';

/**
 * A fresh schema for one test file, so files run in parallel on one database. The returned URL
 * selects it through `?schema=`, which Dispatchr's PostgreSQL driver turns into the search_path.
 */
export async function createTestSchema(prefix = 't'): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}
