import { createFaultEnv, printFigures, sleep } from '../fault-env.js';
import { startRecordingTarget } from '../recording-target.js';
import { recovery } from './db-outage.js';

/**
 * The database vanishes without a word: the scheduler's connections are stalled for 2 s, then the
 * proxy closes their server side and never tells the client (a host that died, a failover to a
 * new address, a NAT that forgot the flow). New connections work at once. A scheduler that only
 * learns of dead connections from errors waits on them forever; it must give up on them and
 * dispatch again through new ones. Answers the recovery time, or null when there was none within
 * `boundMs`.
 */
export async function runSilentPeer(
  boundMs: number,
): Promise<{ recoveryMs: number | null; abandoned: number; fenced: boolean }> {
  const env = await createFaultEnv('silent');
  const target = await startRecordingTarget({ latencyMs: [20, 100] });
  let feeding = true;
  let feeder: Promise<void> = Promise.resolve();
  try {
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '8s',
        pollInterval: '250ms',
        heartbeatInterval: '500ms',
        shutdownTimeout: '2s',
        batchSize: 50,
      },
      queues: { work: { target: target.url, allowPrivateNetwork: true, maxConcurrent: 50, timeout: '2s' } },
    });
    const scheduler = env.spawn({ name: 'scheduler', configFile });
    await scheduler.ready;
    feeder = (async () => {
      while (feeding) {
        await env.insertTasks('work', 20);
        await sleep(100);
      }
    })();
    await sleep(1_500);
    env.proxy.stall();
    await sleep(2_000);
    const abandoned = env.proxy.abandonAll();
    const backAt = Date.now();
    let recoveryMs: number | null = null;
    try {
      recoveryMs = await recovery(env, backAt, boundMs);
    } catch {
      recoveryMs = null;
    }
    const fenced = scheduler.find(/no heartbeat for three intervals/).length > 0;
    printFigures('database gone without a reset (silent peer)', {
      'connections abandoned': abandoned,
      'self-fenced': fenced,
      'new connections work → dispatching again ms': recoveryMs ?? `none within ${boundMs}`,
    });
    return { recoveryMs, abandoned, fenced };
  } finally {
    feeding = false;
    await feeder.catch(() => undefined);
    await target.close();
    await env.cleanup();
  }
}
