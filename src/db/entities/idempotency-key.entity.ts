import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The first response to a create carrying an `Idempotency-Key`, replayed for 24 h: its status and
 * its body in the basic view (no task headers or bodies), so a record stays small. Deleted after
 * `expiresAt` by the scheduler's retention loop.
 */
export const IdempotencyKeyEntity = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'dispatchr_idempotency_key',
  properties: {
    scope: p.string().primary(),
    key: p.string().primary(),
    requestHash: p.string(),
    status: p.integer(),
    response: p.text(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
  },
});
export type IdempotencyKeyRow = InferEntity<typeof IdempotencyKeyEntity>;
