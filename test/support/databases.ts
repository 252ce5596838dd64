import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { createTestSchema, postgresAvailable } from './postgres.js';

/**
 * The test matrix: every storage-level suite runs on each driver listed here. Each call makes a
 * fresh database (a new SQLite file in a temp folder, a new PostgreSQL schema), so test files never
 * share state. Adding a database is one line here: how to make a fresh one, and whether this
 * machine has it (outside CI a missing server is skipped with a printed reason; under CI it fails).
 */
const MATRIX = {
  sqlite: { available: () => true, fresh: freshSqliteFile },
  postgresql: { available: postgresAvailable, fresh: createTestSchema },
} satisfies Record<string, { available(): boolean; fresh(): Promise<{ url: string; drop(): Promise<void> }> }>;

export type DriverName = keyof typeof MATRIX;
export const DRIVERS = Object.keys(MATRIX) as DriverName[];

export interface TestDatabase {
  url: string;
  driver: DriverName;
  open(): Promise<Orm>;
  /** Opens and migrates. */
  openMigrated(): Promise<Orm>;
  cleanup(): Promise<void>;
}

/** `describe.each(drivers())`: the drivers this machine can run. */
export function drivers(): DriverName[] {
  return DRIVERS.filter((driver) => MATRIX[driver].available());
}

async function freshSqliteFile(): Promise<{ url: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-test-'));
  return {
    url: `sqlite:${path.join(dir, 'test.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function createTestDatabase(driver: DriverName): Promise<TestDatabase> {
  const opened: Orm[] = [];
  const { url, drop } = await MATRIX[driver].fresh();
  const open = async () => {
    const db = await initOrm({ url, poolSize: 5 });
    opened.push(db);
    return db;
  };
  return {
    url,
    driver,
    open,
    async openMigrated() {
      const db = await open();
      await migrate(db);
      return db;
    },
    async cleanup() {
      await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
      await drop();
    },
  };
}
