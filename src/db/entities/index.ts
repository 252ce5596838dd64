export { TaskEntity } from './task.entity.js';
export { AttemptEntity } from './attempt.entity.js';
export { QueueStateEntity } from './queue-state.entity.js';
export { SchedulerEntity } from './scheduler.entity.js';
export { IdempotencyKeyEntity } from './idempotency-key.entity.js';

import { TaskEntity } from './task.entity.js';
import { AttemptEntity } from './attempt.entity.js';
import { QueueStateEntity } from './queue-state.entity.js';
import { SchedulerEntity } from './scheduler.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

export const ALL_ENTITIES = [TaskEntity, AttemptEntity, QueueStateEntity, SchedulerEntity, IdempotencyKeyEntity];
