import type { MigrationObject } from '@mikro-orm/core';
import { assertSameMigrationNames } from '../../../migration-names.js';
import { sqliteMigrationNames } from './names.js';
import { ClaimOrderIndex } from '../../../migrations/common/0002-claim-order-index.migration.js';
import { RetryDedupIndex } from '../../../migrations/common/0008-retry-dedup-index.migration.js';
import { AttemptsGivenBack } from '../../../migrations/common/0012-attempts-given-back.migration.js';
import { AttemptFinishedIndex } from '../../../migrations/common/0014-attempt-finished-index.migration.js';
import { FailedByQueueIndex } from '../../../migrations/common/0015-failed-by-queue-index.migration.js';
import { TaskRetry } from '../../../migrations/common/0019-task-retry.migration.js';
import { SqliteInitial } from './0001-initial.migration.js';
import { SqliteFinalAttemptOnTask } from './0005-final-attempt-on-task.migration.js';
import { SqliteFewerTaskIndexWrites } from './0007-fewer-task-index-writes.migration.js';
import { SqliteSchedulerRates } from './0013-scheduler-rates.migration.js';
import { SqliteCron } from './0016-cron.migration.js';
import { SqlitePriority } from './0017-priority.migration.js';
import { SqliteKeyModes } from './0018-key-modes.migration.js';
import { SqliteResultsAndCallbacks } from './0020-results-and-callbacks.migration.js';

/**
 * SQLite's migrations, in order (see the PostgreSQL list for the rules). 0003, 0004, 0006, 0009
 * and 0010 are PostgreSQL's alone; 0007 is SQLite's.
 */
export const sqliteMigrations: MigrationObject[] = [
  { name: '0001-initial', class: SqliteInitial },
  { name: '0002-claim-order-index', class: ClaimOrderIndex },
  { name: '0005-final-attempt-on-task', class: SqliteFinalAttemptOnTask },
  { name: '0007-fewer-task-index-writes', class: SqliteFewerTaskIndexWrites },
  { name: '0008-retry-dedup-index', class: RetryDedupIndex },
  { name: '0012-attempts-given-back', class: AttemptsGivenBack },
  { name: '0013-scheduler-rates', class: SqliteSchedulerRates },
  { name: '0014-attempt-finished-index', class: AttemptFinishedIndex },
  { name: '0015-failed-by-queue-index', class: FailedByQueueIndex },
  { name: '0016-cron', class: SqliteCron },
  { name: '0017-priority', class: SqlitePriority },
  { name: '0018-key-modes', class: SqliteKeyModes },
  { name: '0019-task-retry', class: TaskRetry },
  { name: '0020-results-and-callbacks', class: SqliteResultsAndCallbacks },
];

assertSameMigrationNames(sqliteMigrations, sqliteMigrationNames);
