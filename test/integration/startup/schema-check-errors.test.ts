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

describe('/readyz with a refused login', () => {
  it.runIf(drivers().includes('postgresql'))('answers 503 not_ready, not a 500', async () => {
    const { parseConfig } = await import('../../../src/config/load.js');
    const { startRecorderServer } = await import('../../../src/recorder/server.js');
    const config = parseConfig({
      database: { url: 'postgres://dispatchr_no_such_role@127.0.0.1:5432/test' },
      recorder: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
    });
    const recorder = await startRecorderServer(config);
    try {
      const response = await fetch(`${recorder.url.replace(/\/$/, '')}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { code: string; detail: string };
      expect(body).toMatchObject({ code: 'not_ready', detail: 'the database refused the schema check' });
      expect(JSON.stringify(body)).not.toContain('dispatchr_no_such_role');
    } finally {
      await recorder.close();
    }
  });
});
