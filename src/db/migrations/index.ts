import type { MigrationObject } from '@mikro-orm/core';
import { PostgresInitial } from './postgresql/0001-initial.migration.js';
import { SqliteInitial } from './sqlite/0001-initial.migration.js';
import { SqliteFinalAttemptOnTask } from './sqlite/0005-final-attempt-on-task.migration.js';
import { SqliteFewerTaskIndexWrites } from './sqlite/0007-fewer-task-index-writes.migration.js';
import { ClaimOrderIndex } from './0002-claim-order-index.migration.js';
import { RetryDedupIndex } from './0008-retry-dedup-index.migration.js';
import { AttemptsGivenBack } from './0012-attempts-given-back.migration.js';
import { PostgresDueUpdateTriggerPerRow } from './postgresql/0003-due-update-trigger-per-row.migration.js';
import { PostgresAttemptCascadeByTrigger } from './postgresql/0004-attempt-cascade-by-trigger.migration.js';
import { PostgresFinalAttemptOnTask } from './postgresql/0005-final-attempt-on-task.migration.js';
import { PostgresFewerTaskIndexes } from './postgresql/0006-fewer-task-indexes.migration.js';
import { PostgresClaimFunction } from './postgresql/0009-claim-function.migration.js';
import { PostgresClaimRefusesPausedQueues } from './postgresql/0010-claim-refuses-paused-queues.migration.js';
import { PostgresSchedulerRates } from './postgresql/0013-scheduler-rates.migration.js';
import { SqliteSchedulerRates } from './sqlite/0013-scheduler-rates.migration.js';

/**
 * Static lists, not a folder glob: deterministic from source (tsx, vitest) and from dist alike.
 * Append new migrations; never edit one that has shipped.
 */
export const postgresMigrations: MigrationObject[] = [
  { name: '0001-initial', class: PostgresInitial },
  { name: '0002-claim-order-index', class: ClaimOrderIndex },
  { name: '0003-due-update-trigger-per-row', class: PostgresDueUpdateTriggerPerRow },
  { name: '0004-attempt-cascade-by-trigger', class: PostgresAttemptCascadeByTrigger },
  { name: '0005-final-attempt-on-task', class: PostgresFinalAttemptOnTask },
  { name: '0006-fewer-task-indexes', class: PostgresFewerTaskIndexes },
  { name: '0008-retry-dedup-index', class: RetryDedupIndex },
  { name: '0009-claim-function', class: PostgresClaimFunction },
  { name: '0010-claim-refuses-paused-queues', class: PostgresClaimRefusesPausedQueues },
  { name: '0012-attempts-given-back', class: AttemptsGivenBack },
  { name: '0013-scheduler-rates', class: PostgresSchedulerRates },
];
export const sqliteMigrations: MigrationObject[] = [
  { name: '0001-initial', class: SqliteInitial },
  { name: '0002-claim-order-index', class: ClaimOrderIndex },
  // 0003, 0004, 0006, 0009 and 0010 are PostgreSQL's alone; 0007 is SQLite's.
  { name: '0005-final-attempt-on-task', class: SqliteFinalAttemptOnTask },
  { name: '0007-fewer-task-index-writes', class: SqliteFewerTaskIndexWrites },
  { name: '0008-retry-dedup-index', class: RetryDedupIndex },
  { name: '0012-attempts-given-back', class: AttemptsGivenBack },
  { name: '0013-scheduler-rates', class: SqliteSchedulerRates },
];
