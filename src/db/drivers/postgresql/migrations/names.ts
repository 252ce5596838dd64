/**
 * PostgreSQL's migration names, in order: what a current schema has applied. Kept apart from the
 * migration classes (index.ts) so a schema check needs no MikroORM; index.ts refuses to load when
 * the two lists differ.
 */
export const postgresMigrationNames: readonly string[] = [
  '0001-initial',
  '0002-claim-order-index',
  '0003-due-update-trigger-per-row',
  '0004-attempt-cascade-by-trigger',
  '0005-final-attempt-on-task',
  '0006-fewer-task-indexes',
  '0008-retry-dedup-index',
  '0009-claim-function',
  '0010-claim-refuses-paused-queues',
  '0012-attempts-given-back',
  '0013-scheduler-rates',
  '0014-attempt-finished-index',
  '0015-failed-by-queue-index',
  '0016-cron',
  '0017-priority',
  '0018-key-modes',
  '0019-task-retry',
  '0020-results-and-callbacks',
  '0021-sql-checks',
  '0022-dispatchr-enqueue',
];
