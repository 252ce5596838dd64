import { Pool } from 'undici';
import { monoMs, noopBody, procOptions, runMain, sleep, tell } from '../lib/common.js';
import { targetControl } from '../lib/target-client.js';

/**
 * The HTTP ceiling: the same target driven by undici at concurrency 50 (one Pool, 50 keep-alive
 * connections, 50 loops), a ~60-byte JSON POST each; warm-up, then a timed window.
 * `dispatchHeaders`: each POST also carries the six headers every dispatch request carries
 * (docs/spec.md: Dispatchr-Task-Id, -Queue, -Attempt, -Scheduled-At, webhook-id,
 * webhook-timestamp), with values of the same shape, so the cost of the request itself is
 * priced apart from the scheduler's work.
 */
interface Options {
  targetPort: number;
  warmupMs: number;
  durationMs: number;
  concurrency: number;
  dispatchHeaders?: boolean;
}

/** Header sets of the dispatch's shape, made before the window (the scheduler reads them from rows). */
function dispatchHeaderSets(count: number): Record<string, string>[] {
  const scheduledAt = new Date().toISOString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  return Array.from({ length: count }, () => {
    const id = crypto.randomUUID();
    return {
      'content-type': 'application/json',
      'dispatchr-task-id': id,
      'dispatchr-queue': 'bench',
      'dispatchr-attempt': '1',
      'dispatchr-scheduled-at': scheduledAt,
      'webhook-id': id,
      'webhook-timestamp': timestamp,
    };
  });
}

runMain(async () => {
  const { targetPort, warmupMs, durationMs, concurrency, dispatchHeaders } = procOptions<Options>();
  const pool = new Pool(`http://127.0.0.1:${targetPort}`, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 10_000,
  });
  const body = JSON.stringify(noopBody(1));
  const headerSets = dispatchHeaders ? dispatchHeaderSets(1024) : [{ 'content-type': 'application/json' }];
  let sent = 0;
  let phase: 'warm' | 'measure' | 'stop' = 'warm';
  let done = 0;
  let errors = 0;
  const loop = async () => {
    while (phase !== 'stop') {
      try {
        const res = await pool.request({
          path: '/tasks/noop',
          method: 'POST',
          body,
          headers: headerSets[sent++ % headerSets.length],
        });
        await res.body.dump();
        if (phase === 'measure') done += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await targetControl(targetPort, 'reset');
  const loops = Array.from({ length: concurrency }, loop);
  await sleep(warmupMs);
  tell({ type: 'window', phase: 'start' });
  const t0 = monoMs();
  phase = 'measure';
  await sleep(durationMs);
  const counted = done;
  const t1 = monoMs();
  tell({ type: 'window', phase: 'end' });
  phase = 'stop';
  await Promise.all(loops);
  await pool.close();
  tell({ type: 'result', value: counted / ((t1 - t0) / 1000), unit: 'req/s', requests: counted, errors });
});
