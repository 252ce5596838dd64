/**
 * `dispatchr/client`: create and steer tasks from an application. `DispatchrClient` talks to the
 * recorder over HTTP; `enqueueWithin` writes a task inside the app's own PostgreSQL transaction.
 * Imports nothing of Dispatchr's server side (test/unit/client/import-graph.test.ts checks it).
 */
export { DispatchrClient, type DispatchrClientOptions } from './client.js';
export { enqueueWithin, type EnqueueWithinOptions, type EnqueueWithinResult } from './enqueue-within.js';
export { DispatchrApiError, DispatchrNetworkError, DispatchrValidationError, type NetworkErrorCode } from './errors.js';
export type { EntityManagerLike, KnexTransactionLike, PgQueryable, SqlTransaction } from './sql-runner.js';
export type {
  Attempt,
  AttemptOutcome,
  CallbackBody,
  CallbackTarget,
  CallOptions,
  CreateOptions,
  Deduplicated,
  Duration,
  EnqueuedTask,
  GetOptions,
  KeyMode,
  ListOptions,
  Problem,
  ProblemError,
  Task,
  TaskInput,
  TaskMethod,
  TaskPage,
  TaskState,
  TaskView,
} from './types.js';
export { DispatchrError, isDispatchrError } from '../errors.js';
