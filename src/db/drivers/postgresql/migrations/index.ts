import type { MigrationObject } from '@mikro-orm/core';
import { assertSameMigrationNames } from '../../../migration-names.js';
import { postgresMigrationNames } from './names.js';
import { ClaimOrderIndex } from '../../../migrations/common/0002-claim-order-index.migration.js';
import { RetryDedupIndex } from '../../../migrations/common/0008-retry-dedup-index.migration.js';
import { AttemptsGivenBack } from '../../../migrations/common/0012-attempts-given-back.migration.js';
import { AttemptFinishedIndex } from '../../../migrations/common/0014-attempt-finished-index.migration.js';
import { FailedByQueueIndex } from '../../../migrations/common/0015-failed-by-queue-index.migration.js';
import { TaskRetry } from '../../../migrations/common/0019-task-retry.migration.js';
import { PostgresInitial } from './0001-initial.migration.js';
import { PostgresDueUpdateTriggerPerRow } from './0003-due-update-trigger-per-row.migration.js';
import { PostgresAttemptCascadeByTrigger } from './0004-attempt-cascade-by-trigger.migration.js';
import { PostgresFinalAttemptOnTask } from './0005-final-attempt-on-task.migration.js';
import { PostgresFewerTaskIndexes } from './0006-fewer-task-indexes.migration.js';
import { PostgresClaimFunction } from './0009-claim-function.migration.js';
import { PostgresClaimRefusesPausedQueues } from './0010-claim-refuses-paused-queues.migration.js';
import { PostgresSchedulerRates } from './0013-scheduler-rates.migration.js';
import { PostgresCron } from './0016-cron.migration.js';
import { PostgresPriority } from './0017-priority.migration.js';
import { PostgresKeyModes } from './0018-key-modes.migration.js';
import { PostgresResultsAndCallbacks } from './0020-results-and-callbacks.migration.js';
import { PostgresSqlChecks } from './0021-sql-checks.migration.js';
import { PostgresDispatchrEnqueue } from './0022-dispatchr-enqueue.migration.js';

/**
 * PostgreSQL's migrations, in order. A static list, not a folder glob: deterministic from source
 * (tsx, vitest) and from dist alike. Append new migrations; never edit one that has shipped. The
 * numbers are shared with the other drivers (0007 is SQLite's alone), and src/db/migrations/common
 * holds those whose SQL every driver runs as it is.
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
  { name: '0014-attempt-finished-index', class: AttemptFinishedIndex },
  { name: '0015-failed-by-queue-index', class: FailedByQueueIndex },
  { name: '0016-cron', class: PostgresCron },
  { name: '0017-priority', class: PostgresPriority },
  { name: '0018-key-modes', class: PostgresKeyModes },
  { name: '0019-task-retry', class: TaskRetry },
  { name: '0020-results-and-callbacks', class: PostgresResultsAndCallbacks },
  { name: '0021-sql-checks', class: PostgresSqlChecks },
  { name: '0022-dispatchr-enqueue', class: PostgresDispatchrEnqueue },
];

assertSameMigrationNames(postgresMigrations, postgresMigrationNames);
