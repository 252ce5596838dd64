/**
 * `dispatchr`: the programmatic API. Embed the recorder in a Koa app, run a scheduler in-process,
 * or load and validate a config. The app-side SDK is `dispatchr/client`; the receiving side's
 * signature checks are `dispatchr/handler`.
 */
export { loadConfig, parseConfig, type ResolvedConfig, type LoadOptions } from './config/load.js';
export type { Config, ConfigInput, QueueConfig } from './config/schema.js';
export { createRecorder, type CreateRecorderOptions, type Recorder } from './recorder/app.js';
export { startRecorderServer } from './recorder/server.js';
export { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler/scheduler.js';
export { initOrm, type Orm } from './db/orm.js';
export { migrate, pendingMigrations } from './db/migrate.js';
export { createLogger, type Logger } from './logger.js';
export { DispatchrError, isDispatchrError } from './errors.js';
export { TASK_STATES, type TaskState, type TaskRecord, type AttemptRecord } from './task.js';
export { taskMachine } from './machines/task.machine.js';
