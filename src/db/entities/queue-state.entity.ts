import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Runtime state of a configured queue (queues themselves come from config). */
export const QueueStateEntity = defineEntity({
  name: 'QueueState',
  tableName: 'dispatchr_queue_state',
  properties: {
    name: p.string().primary(),
    paused: p.boolean().default(false),
    updatedAt: p.datetime(),
  },
});
export type QueueStateRow = InferEntity<typeof QueueStateEntity>;
