import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { createTestSchema, postgresAvailable } from './postgres.js';

/**
 * The two drivers every storage-level suite runs on. Each call makes a fresh database: a new SQLite
 * file in a temp folder, or a new PostgreSQL schema, so test files never share state.
 */
export interface TestDatabase {
  url: string;
  dialect: 'sqlite' | 'postgresql';
  open(): Promise<Orm>;
  /** Opens and migrates. */
  openMigrated(): Promise<Orm>;
  cleanup(): Promise<void>;
}

export const DRIVERS = ['sqlite', 'postgresql'] as const;
export type DriverName = (typeof DRIVERS)[number];

/** `describe.each(drivers())`: PostgreSQL is left out (with a printed reason) only outside CI. */
export function drivers(): DriverName[] {
  return postgresAvailable() ? [...DRIVERS] : ['sqlite'];
}

export async function createTestDatabase(driver: DriverName): Promise<TestDatabase> {
  const opened: Orm[] = [];
  const open = async () => {
    const db = await initOrm({ url, poolSize: 5 });
    opened.push(db);
    return db;
  };
  let url: string;
  let cleanupStore: () => Promise<void>;
  if (driver === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-test-'));
    url = `sqlite:${path.join(dir, 'test.db')}`;
    cleanupStore = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = await createTestSchema();
    url = schema.url;
    cleanupStore = schema.drop;
  }
  return {
    url,
    dialect: driver,
    open,
    async openMigrated() {
      const db = await open();
      await migrate(db);
      return db;
    },
    async cleanup() {
      await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
      await cleanupStore();
    },
  };
}
