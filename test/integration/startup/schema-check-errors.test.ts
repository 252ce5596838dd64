import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm } from '../../../src/db/orm.js';
import { requireCurrentSchema } from '../../../src/db/migrate.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';

/**
 * The schema check reads the migrations table directly (migration-status.ts). Only "no such table"
 * means a schema never migrated: any other refusal (a role PostgreSQL does not know) is reported as
 * itself, as it was when MikroORM connected at open, never as "run dispatchr migrate".
 */
describe('the schema check on PostgreSQL', () => {
  it.runIf(drivers().includes('postgresql'))('reports a refused login as the login error', async () => {
    const db = await initOrm({ url: 'postgres://dispatchr_no_such_role@127.0.0.1:5432/test' });
    try {
      await expect(requireCurrentSchema(db)).rejects.toMatchObject({ code: '28000' });
    } finally {
      await db.close();
    }
  });
});

describe.each(drivers())('the schema check on %s', (driver) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
  });
  afterAll(async () => testDb?.cleanup());

  it('calls a database without the migrations table missing', async () => {
    const db = await testDb.open();
    try {
      await expect(requireCurrentSchema(db)).rejects.toMatchObject({
        code: 'schema_outdated',
        message: expect.stringContaining('schema is missing'),
      });
    } finally {
      await db.close();
    }
  });
});
