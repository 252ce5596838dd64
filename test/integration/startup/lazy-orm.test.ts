import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { ROOT } from '../../support/cli.js';

/**
 * A scheduler's start-up opens the database and checks its schema without loading MikroORM (about
 * half a second of CPU: docs/performance.md, "Start-up"); `migrate` loads it. Checked in a fresh
 * process, whose module cache shows what was loaded.
 */
const script = (action: 'check' | 'migrate') => `
import { createRequire } from 'node:module';
import { initOrm } from './src/db/orm.js';
import { migrate, requireCurrentSchema } from './src/db/migrate.js';
const db = await initOrm({ url: process.env.DB_URL });
try {
  if ('${action}' === 'migrate') await migrate(db);
  else await requireCurrentSchema(db);
  await db.sql.query('select 1 as one');
} finally {
  await db.close();
}
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('@mikro-orm'));
console.log(JSON.stringify({ mikroOrmFiles: loaded.length }));
`;

function run(action: 'check' | 'migrate', url: string): { mikroOrmFiles: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(action)], {
    cwd: ROOT,
    env: { ...process.env, DB_URL: url, NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { mikroOrmFiles: number };
}

describe.each(drivers().filter((driver) => driver !== 'sqlite'))('start-up without MikroORM on %s', (driver) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
  });
  afterAll(async () => testDb?.cleanup());

  it('migrate loads MikroORM; a schema check and a query on the migrated database do not', () => {
    expect(run('migrate', testDb.url).mikroOrmFiles).toBeGreaterThan(0);
    expect(run('check', testDb.url)).toEqual({ mikroOrmFiles: 0 });
  }, 60_000);
});
