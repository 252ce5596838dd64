import { z } from 'zod';
import type { SchedulerStatus } from '../db/scheduler-registry.repository.js';
import { canAccessQueue, type Principal } from './auth.js';

/**
 * A scheduler as `GET /v1/schedulers` and `dispatchr schedulers` (database mode) show it, and which
 * of them a token may see. Outside routes/ so the operator's database mode renders the same thing
 * without importing a route.
 */
const time = z.string().describe('RFC 3339, UTC');

export const schedulerResource = z.object({
  id: z.string().describe('The lease owner id (scheduler.id, or host-pid-random).'),
  host: z.string(),
  pid: z.number().int(),
  queues: z.array(z.string()).describe('The queues it serves (those this token may use).'),
  startedAt: time,
  heartbeatAt: time.describe('Its last heartbeat.'),
  alive: z.boolean().describe('false after 5 heartbeat intervals of silence: its leases are rescued by the live ones.'),
  silentMs: z.number().int().describe('Time since the last heartbeat, by the recorder’s clock.'),
  rates: z
    .record(z.string(), z.number().nullable())
    .describe(
      'Per queue it serves (those this token may use): the dispatches per second it enforces, as of its last heartbeat; null: unlimited.',
    ),
});

export const schedulerListResponse = z.object({ schedulers: z.array(schedulerResource) });
export type SchedulerResource = z.infer<typeof schedulerResource>;

export function renderScheduler(status: SchedulerStatus, queues: string[] = status.queues): SchedulerResource {
  return {
    id: status.id,
    host: status.host,
    pid: status.pid,
    queues,
    startedAt: status.startedAt.toISOString(),
    heartbeatAt: status.heartbeatAt.toISOString(),
    alive: status.alive,
    silentMs: Math.round(status.silentMs),
    rates: Object.fromEntries(
      queues.filter((queue) => Object.hasOwn(status.rates, queue)).map((queue) => [queue, status.rates[queue]]),
    ),
  };
}

/** The schedulers a principal may see, each with only the queues it may use. */
export function visibleSchedulers(principal: Principal, all: readonly SchedulerStatus[]): SchedulerResource[] {
  return all.flatMap((status) => {
    const queues = status.queues.filter((queue) => canAccessQueue(principal, queue));
    return principal.queues === null || queues.length > 0 ? [renderScheduler(status, queues)] : [];
  });
}
