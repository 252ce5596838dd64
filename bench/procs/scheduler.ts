import { createScheduler } from '../../src/scheduler/scheduler.js';
import { benchConfig, type BenchConfigOptions } from '../lib/db.js';
import { fromParent, procOptions, runMain, tell } from '../lib/common.js';

/** One scheduler alone in its process, as `dispatchr schedule` runs it (schema already migrated). */
runMain(async () => {
  const options = procOptions<BenchConfigOptions>();
  let completed = 0;
  const scheduler = await createScheduler({
    config: benchConfig(options),
    events: { onDecisions: (_queue, decisions) => void (completed += decisions.length) },
  });
  await scheduler.start();
  tell({ type: 'ready', pid: process.pid });
  await fromParent('stop');
  await scheduler.stop({ timeoutMs: 5_000 });
  tell({ type: 'stopped', completed });
});
