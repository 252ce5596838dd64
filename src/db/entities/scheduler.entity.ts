import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A running scheduler, kept alive by heartbeats; its leases are rescued early when they stop. */
export const SchedulerEntity = defineEntity({
  name: 'Scheduler',
  tableName: 'dispatchr_scheduler',
  properties: {
    id: p.string().primary(),
    host: p.string(),
    pid: p.integer(),
    queues: p.json<string[]>(),
    startedAt: p.datetime(),
    heartbeatAt: p.datetime(),
    /** queue → dispatches per second it enforces (null: unlimited), written with each heartbeat. */
    rates: p.json<Record<string, number | null>>(),
  },
});
export type SchedulerRow = InferEntity<typeof SchedulerEntity>;
