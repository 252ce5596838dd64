import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** One dispatch attempt. `number` repeats when an interrupted attempt was given back. */
export const AttemptEntity = defineEntity({
  name: 'Attempt',
  tableName: 'dispatchr_attempt',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    taskId: p.string().columnType('uuid'),
    number: p.integer(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    status: p.integer().nullable(),
    outcome: p.string(),
    durationMs: p.integer().nullable(),
    error: p.string().nullable(),
    responseExcerpt: p.string().nullable(),
  },
});
export type AttemptRow = InferEntity<typeof AttemptEntity>;
