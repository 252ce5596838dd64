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
  leasesHeld: z
    .number()
    .int()
    .describe(
      'Running tasks whose lease it holds now, in the queues this token may use (a dead one holds them until rescued).',
    ),
});

export const schedulerListResponse = z.object({ schedulers: z.array(schedulerResource) });
export type SchedulerResource = z.infer<typeof schedulerResource>;

/** `scope`: the queues a scoped token may see of those it serves; undefined: every queue. */
export function renderScheduler(status: SchedulerStatus, scope?: string[]): SchedulerResource {
  const queues = scope ?? status.queues;
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
    leasesHeld: leasesIn(status, scope),
  };
}

/**
 * Its leases in the scope's queues. An unscoped view counts every lease, those of queues it no
 * longer lists included (its config changed while it held them).
 */
function leasesIn(status: SchedulerStatus, scope: readonly string[] | undefined): number {
  let sum = 0;
  for (const [queue, n] of Object.entries(status.leases)) if (!scope || scope.includes(queue)) sum += n;
  return sum;
}

/** The schedulers a principal may see, each with only the queues it may use. */
export function visibleSchedulers(principal: Principal, all: readonly SchedulerStatus[]): SchedulerResource[] {
  return all.flatMap((status) => {
    const queues = status.queues.filter((queue) => canAccessQueue(principal, queue));
    if (principal.queues === null) return [renderScheduler(status)];
    return queues.length > 0 ? [renderScheduler(status, queues)] : [];
  });
}
