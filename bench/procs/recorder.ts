import { startRecorderServer } from '../../src/recorder/server.js';
import { benchConfig, type BenchConfigOptions } from '../lib/db.js';
import { fromParent, procOptions, runMain, tell } from '../lib/common.js';

/** The recorder alone in its process, as `dispatchr recorder` runs it (schema already migrated). */
runMain(async () => {
  const options = procOptions<BenchConfigOptions & { coalesceCreates?: boolean }>();
  const server = await startRecorderServer(benchConfig(options), { coalesceCreates: options.coalesceCreates });
  tell({ type: 'ready', url: server.url, pid: process.pid });
  await fromParent('stop');
  await server.close();
});
