import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';

/**
 * A fresh PostgreSQL schema migrated to the latest migration, and a plain `pg` client on it, for
 * calling 0021's check functions one value at a time. Every call runs as its own statement, so a
 * refusal (SQLSTATE 22023) leaves the connection usable for the next.
 */
export interface SqlChecks {
  /** `select <fn>($1, ...)`: the value, or the refusal's message and SQLSTATE. */
  call(fn: string, args: unknown[], cast?: string[]): Promise<SqlResult>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
  close(): Promise<void>;
}

export type SqlResult = { ok: true; value: unknown } | { ok: false; message: string; code: string };

export async function openSqlChecks(): Promise<SqlChecks> {
  const database: TestDatabase = await createTestDatabase('postgresql');
  const orm = await database.openMigrated();
  await orm.close();
  const schema = new URL(database.url).searchParams.get('schema')!;
  const url = new URL(database.url);
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  // Values come back as text, so a bigint or a timestamptz is compared exactly.
  const asText = (value: string) => value;
  return {
    async call(fn, args, cast = []) {
      const params = args.map((_, i) => `$${i + 1}${cast[i] ? `::${cast[i]}` : ''}`).join(', ');
      try {
        const result = await client.query({
          text: `select ${fn}(${params}) as value`,
          values: args,
          types: { getTypeParser: () => asText },
        });
        return { ok: true, value: result.rows[0].value };
      } catch (error) {
        const { message, code } = error as { message: string; code: string };
        return { ok: false, message, code };
      }
    },
    query: (sql, params) => client.query(sql, params),
    async close() {
      await client.end();
      await database.cleanup();
    },
  };
}

/** A spec/vectors file, or null while the "vectors" work has not written it yet. */
export function readVectors<T>(file: string): { cases: T[] } | null {
  try {
    return JSON.parse(readFileSync(new URL(`../../../spec/vectors/${file}`, import.meta.url), 'utf8')) as {
      cases: T[];
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
