import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The task row. The ORM maps it for the non-hot paths; claim and complete are raw SQL in the
 * repository. Column names here must match the migrations in ../migrations.
 */
export const TaskEntity = defineEntity({
  name: 'Task',
  tableName: 'dispatchr_task',
  properties: {
    id: p.string().primary().columnType('uuid'),
    queue: p.string(),
    state: p.string(),
    path: p.string(),
    method: p.string(),
    headers: p.json<Record<string, string>>(),
    body: p.blob().nullable(),
    contentType: p.string().nullable(),
    runAt: p.datetime(),
    attempt: p.integer().default(0),
    // Attempts interrupted and given back (migration 0012): not counted against maxAttempts.
    attemptsGivenBack: p.integer().default(0),
    maxAttempts: p.integer().nullable(),
    timeoutMs: p.integer().nullable(),
    dedupKey: p.string().nullable(),
    leaseOwner: p.string().nullable(),
    leaseExpiresAt: p.datetime().nullable(),
    attemptedAt: p.datetime().nullable(),
    traceparent: p.string().nullable(),
    firstAttemptAt: p.datetime().nullable(),
    lastStatus: p.integer().nullable(),
    lastError: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    finalizedAt: p.datetime().nullable(),
    // The attempt that finished the task (migration 0005); earlier attempts are AttemptEntity rows.
    finalStartedAt: p.datetime().nullable(),
    finalFinishedAt: p.datetime().nullable(),
    finalStatus: p.integer().nullable(),
    finalOutcome: p.string().nullable(),
    finalDurationMs: p.integer().nullable(),
    finalError: p.string().nullable(),
    finalExcerpt: p.string().nullable(),
  },
});
export type TaskRow = InferEntity<typeof TaskEntity>;
