import { createServer, type AddressInfo } from 'node:net';
import type { ConfigInput } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import type { DriverName } from '../../support/databases.js';
import { startTargetServer, waitFor, type Reply, type TargetServer } from '../../support/target-server.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * The whole path in one process: a real target on 127.0.0.1, a real recorder (HTTP) and a real
 * scheduler sharing one fresh database. Tasks go in through the recorder's API like an app's
 * would, and come out at the target.
 */
export interface Stack {
  recorder: TestRecorder;
  scheduler: Scheduler;
  target: TargetServer;
  /** Waits until no task of the queues is waiting or running (scheduled ones excepted). */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const FAST_SCHEDULER = {
  leaseDuration: '1m',
  pollInterval: '100ms',
  heartbeatInterval: '500ms',
  shutdownTimeout: '2s',
} as const;

export async function startStack(
  driver: DriverName,
  routes: Record<string, Reply>,
  input: (targetUrl: string) => ConfigInput,
  options: { token?: string } = {},
): Promise<Stack> {
  const target = await startTargetServer(routes);
  const config = input(target.url);
  const recorder = await startTestRecorder(
    driver,
    { ...config, scheduler: { ...FAST_SCHEDULER, ...config.scheduler } },
    { defaultToken: options.token ?? null },
  );
  const scheduler = await createScheduler({ config: recorder.config, db: recorder.db, logger: silentLogger });
  await scheduler.start();
  return {
    recorder,
    scheduler,
    target,
    async settled(timeoutMs = 20_000) {
      await waitFor(
        async () => (await recorder.tasks.countTasks({ states: ['available', 'retryable', 'running'] })) === 0,
        timeoutMs,
        'every task to settle',
      );
    },
    async close() {
      await scheduler.stop({ timeoutMs: 1_000 });
      await recorder.close();
      await target.close();
    },
  };
}

/** Prometheus text → `name{label="v",...}` (labels sorted) → value. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    samples.set(
      labels ? `${match[1]}{${labels}}` : match[1],
      match[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[3]),
    );
  }
  return samples;
}

/** The sum of a metric's samples whose labels include every given one. */
export function sumOf(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [key, value] of samples) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([label, v]) => key.includes(`${label}="${v}"`))) total += value;
  }
  return total;
}

/** A port free right now (for endpoints a config file must name in advance). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
