import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { Orm } from '../../../src/db/orm.js';
import { createRecorder, type Recorder } from '../../../src/recorder/app.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';

/**
 * A whole Dispatchr in the test process, as an example app meets it in production: a recorder
 * (createRecorder, served on 127.0.0.1) and a running scheduler over one temporary, migrated
 * SQLite file. The app under test is given `url` and is the target of the queues.
 */
export interface LocalDispatchr {
  /** The recorder's base URL. */
  url: string;
  db: Orm;
  close(): Promise<void>;
}

export async function startLocalDispatchr(queues: NonNullable<ConfigInput['queues']>): Promise<LocalDispatchr> {
  const testDb: TestDatabase = await createTestDatabase('sqlite');
  const db = await testDb.openMigrated();
  const config = parseConfig({
    database: { url: testDb.url },
    scheduler: { pollInterval: '100ms', leaseDuration: '10s', heartbeatInterval: '1s', shutdownTimeout: '2s' },
    queues,
  });
  const recorder: Recorder = createRecorder({ config, db });
  const server: Server = createServer(recorder.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheduler: Scheduler = await createScheduler({ config, db, logger: silentLogger });
  await scheduler.start();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db,
    async close() {
      await scheduler.stop({ timeoutMs: 1000 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await recorder.close();
      await testDb.cleanup();
    },
  };
}

/** An HTTP server listening before its app exists: the app needs Dispatchr's URL, Dispatchr needs the app's. */
export async function listenFirst(): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
