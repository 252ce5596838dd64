import { loadConfig } from '../../../src/config/load.js';
import { migrate } from '../../../src/db/migrate.js';
import { initOrm } from '../../../src/db/orm.js';
import { startRecorderServer } from '../../../src/recorder/server.js';

/**
 * A recorder in a process of its own, for tests that measure the process (its memory): what
 * `dispatchr recorder --config <file>` runs, without the CLI's development mode (oclif compiling
 * every command through tsx adds some 60 MB of its own to the process). Prints the line the CLI
 * prints; stops on SIGTERM.
 *
 *   node --import tsx test/integration/recorder/recorder-process.ts <config file>
 */
const config = loadConfig({ file: process.argv[2] });
const db = await initOrm({ url: config.database.url, baseDir: config.source.dir, poolSize: config.database.poolSize });
if (db.driver.migratesOnOpen) await migrate(db);
const server = await startRecorderServer(config, { db, handleSignals: true });
console.log(`dispatchr recorder listening on ${server.url}`);
await server.closed;
await db.close();
