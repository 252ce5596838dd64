import type { MigrationObject, MikroORM } from '@mikro-orm/core';
import type { Logger } from '../logger.js';
import type { ActivityRequest, ActivityRow } from './activity.sql.js';
import type { ClaimRequest, Settlement } from './dispatch.types.js';
import type { Row, SqlPool, SqlSession } from './sql-session.js';
import type { CancelBatchRequest, CancelBatchRow, CancelRunningRequest } from './task-cancel.sql.js';
import type { TaskFilter } from './task-filter.sql.js';
import type { TaskInsertRow } from './task-insert-row.js';
import type { RetryBatchRequest, RetryBatchRow } from './task-retry.sql.js';

/**
 * What a database must provide to store Dispatchr's tasks (docs/deployment.md, "Adding a
 * database"). One implementation per database lives in src/db/drivers/<name>/ with its own SQL and
 * its own migrations; src/db/drivers/registry.ts maps URL schemes to drivers and is the only place
 * that names them. Everything above src/db (recorder, scheduler, operator, CLI) sees this interface
 * and the repositories built on it, never a database's name.
 *
 * The repositories (src/db/*.repository.ts) write the statements every SQL database answers the
 * same way, with the driver's placeholders; the driver answers the operations whose SQL differs.
 * The storage contract suite (test/integration/storage.test.ts and its kin) runs unchanged on each.
 */
export interface StorageDriver {
  /** For logs only: nothing may branch on it. */
  readonly name: string;
  /** The database's name as people write it, for messages. */
  readonly title: string;
  /** The URL schemes it opens, e.g. `postgres:`. */
  readonly schemes: readonly string[];
  /** Its URL forms, for the message that names the databases a URL may point to. */
  readonly urlForms: readonly string[];
  /** The n-th (1-based) bound value's placeholder in a statement. */
  placeholder(n: number): string;
  /**
   * Every migration's name, in order: what a current schema has applied. A plain list, so checking
   * the schema (every command's start, /readyz) never loads MikroORM (about half a second of a
   * scheduler's start-up).
   */
  readonly migrationNames: readonly string[];
  /** Every migration, in order, for MikroORM's Migrator (loaded on demand). Append, never edit a shipped one. */
  loadMigrations(): Promise<readonly MigrationObject[]>;
  /**
   * An embedded database a newcomer runs with no server: long-running commands migrate it when they
   * open it, since there is no operator to run `dispatchr migrate` first.
   */
  readonly migratesOnOpen: boolean;
  /** At most one scheduler per database (one writer at a time): a second one refuses to start. */
  readonly oneScheduler: boolean;
  /** Opens the database the URL names (no schema changes). */
  open(url: string, options: OpenOptions): Promise<OpenedDatabase>;
  readonly queries: DriverQueries;
}

export interface OpenOptions {
  /** Relative file URLs resolve against it (the config file's folder). */
  baseDir: string;
  poolSize: number;
  /** How long a caller waits for a pooled connection before `database_unavailable`. */
  acquireTimeoutMs: number;
}

export interface OpenedDatabase {
  /** MikroORM, for the schema: its Migrator applies the migrations. Opened on the first call: only
   *  `migrate` and the embedded database's start need it, never the hot path. */
  orm(): Promise<MikroORM>;
  /** The raw SQL pool of the hot and cold paths. */
  sql: SqlPool;
  /**
   * Cross-process wake-ups when tasks become due in another process (null: the database has none,
   * and schedulers poll). In-process wake-ups need none: due-signal.ts covers them.
   */
  listen: ((options: WakeUpOptions) => WakeUps) | null;
  close(): Promise<void>;
}

export interface WakeUpOptions {
  logger: Logger;
  /** A queue's tasks may be due (null: any queue's, e.g. after a reconnect). */
  onDue(queue: string | null): void;
  /** A running task was cancelled (its id): its holder cuts the request (spec 11.6). Absent: not listened for. */
  onCancelled?(taskId: string): void;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

export interface WakeUps {
  start(): void;
  stop(): Promise<void>;
  readonly connected: boolean;
}

/** A page of a task search: `limit` rows, newest first, with the listed columns (ListedTask). */
export interface ListQuery extends TaskFilter {
  limit: number;
  /** Keyset pagination: only ids below this one (the previous page's last). */
  beforeId?: string;
  /** The scan window's end (see DriverQueries.scanFloor): only ids at or above this one. */
  floorId?: string;
}

/** The operations whose SQL differs between databases. */
export interface DriverQueries {
  /**
   * Takes up to `limit` due tasks of the queue into `running` (the machine's claim patch), never
   * more than `maxConcurrent` running across all schedulers, none of a paused queue; answers the
   * rows with CLAIM_COLUMNS (task-row.ts).
   */
  claim(pool: SqlPool, request: ClaimRequest, leaseExpiresAt: Date): Promise<Row[]>;
  /**
   * Applies a batch of attempt outcomes, each a compare-and-set on (id, running, attempt, owner);
   * answers the ids that won. What each writes is held to the machine by machine-drift.test.ts.
   */
  settle(pool: SqlPool, settlements: readonly Settlement[], now: Date): Promise<Set<string>>;
  /** Inserts new tasks, skipping any whose dedup key a task holds (spec 11.2); answers the ids inserted. */
  insertTasks(session: SqlSession, rows: readonly TaskInsertRow[]): Promise<Set<string>>;
  /**
   * One keyed task by its key mode (task-key-upsert.sql.ts): the row inserted, or the holder it
   * replaced or debounced (TASK_COLUMNS); undefined when a holder was left alone.
   */
  upsertKeyedTask(session: SqlSession, row: TaskInsertRow): Promise<Row | undefined>;
  /** Releases up to `limit` finished key holders whose keyRetention has passed; answers how many. */
  releaseExpiredKeys(session: SqlSession, now: Date, limit: number): Promise<number>;
  /** A page of tasks (ListQuery): the task columns without the body, and its size as `body_bytes`. */
  listTasks(session: SqlSession, query: ListQuery): Promise<Row[]>;
  /**
   * The end of a bounded scan's window: the id of the `rows`-th task below `beforeId`, newest first,
   * among those the filter's queue and state select. Undefined when fewer remain.
   */
  scanFloor(
    session: SqlSession,
    filter: TaskFilter,
    beforeId: string | undefined,
    rows: number,
  ): Promise<string | undefined>;
  countTasks(session: SqlSession, filter: TaskFilter): Promise<number>;
  /** `id` and `body` of these tasks, one statement whatever their number. */
  findBodies(session: SqlSession, ids: readonly string[]): Promise<Row[]>;
  /** One batch of a bulk retry (task-retry.types.ts); null when the filter names no retryable state. */
  retryBatch(session: SqlSession, request: RetryBatchRequest): Promise<RetryBatchRow[] | null>;
  /** One batch of a bulk cancel (task-cancel.sql.ts); null when the filter names no state a cancel starts from. */
  cancelBatch(session: SqlSession, request: CancelBatchRequest): Promise<CancelBatchRow[] | null>;
  /**
   * Cancels a running task (task-cancel.sql.ts, spec 11.6): answers the row (TASK_COLUMNS), or none
   * when the compare-and-set lost. Where the database has NOTIFY, the holder is told at commit.
   */
  cancelRunning(session: SqlSession, request: CancelRunningRequest): Promise<Row[]>;
  /** Per minute and queue since `request.since` (activity.sql.ts), oldest minute first; only minutes with counts. */
  activity(session: SqlSession, request: ActivityRequest): Promise<ActivityRow[]>;
  /**
   * Writes a queue's pause flag so that no claim after it returns takes a task of a paused queue,
   * and a resume wakes the schedulers of other processes where the database can.
   */
  setPaused(pool: SqlPool, name: string, paused: boolean, at: Date): Promise<void>;
  /**
   * Up to `limit` cron entries of `queues` due at `now` (enabled, not paused, not orphaned,
   * next_fire_at <= now), earliest first, with CRON_ENTRY_COLUMNS (cron-entry-row.ts), each held
   * by `tx` until it ends so that no other scheduler fires the same entry meanwhile; others step
   * over held ones.
   */
  lockDueCronEntries(tx: SqlSession, now: Date, limit: number, queues: readonly string[]): Promise<Row[]>;
  /** Upserts a scheduler's row; its heartbeat time only moves forward, its rates go with the newest. */
  heartbeat(session: SqlSession, beat: HeartbeatRow): Promise<void>;
}

export interface HeartbeatRow {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  startedAt: Date;
  at: Date;
  rates: Record<string, number | null>;
}
