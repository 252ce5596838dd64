import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import { DispatchrError } from '../errors.js';
import { createDispatchRepository } from '../db/dispatch.repository.js';
import { createIdempotencyRepository } from '../db/idempotency.repository.js';
import { DUE_EVENT, dueSignal } from '../db/due-signal.js';
import { requireCurrentSchema } from '../db/migrate.js';
import { initOrm, type Orm } from '../db/orm.js';
import { createQueueStateRepository } from '../db/queue-state.repository.js';
import { createSchedulerRegistry, isAlive } from '../db/scheduler-registry.repository.js';
import { createLogger, type Logger } from '../logger.js';
import { resolveRetryPolicies, type RetryPolicy } from '../strategies/load-plugins.js';
import { createDispatchPool, type DispatchPool } from '../workers/pool.js';
import { AdaptiveRate } from './adaptive-rate.js';
import { createHeartbeat, DEAD_AFTER_INTERVALS } from './heartbeat.js';
import { createQueueLimiter } from './limiters.js';
import { createNotifier, type Notifier } from './notifier.js';
import { createPauseFlags } from './pause-flags.js';
import { createProducer, type Producer } from './producer.js';
import { createRescuer } from './rescuer.js';
import { createRetention } from './retention.js';
import { logDecisions, type SchedulerEvents } from './transition-log.js';
import { createServiceLoop, type ServiceLoop } from './service-loop.js';
import { createTaskRepository } from '../db/task.repository.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { schedulerMetricEvents } from '../metrics/scheduler-metrics.js';

/** Dead schedulers stay in the registry (listed as dead) this long, then are forgotten. */
const SILENT_SCHEDULER_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * `createScheduler()`: one producer per served queue, plus the rescuer, the heartbeat, the
 * retention pruner and (PostgreSQL) the LISTEN wake-ups. Nothing here holds a task the database
 * does not show as leased to this scheduler.
 */
export interface SchedulerOptions {
  config: ResolvedConfig;
  /** An open database; when absent one is opened from config and closed on stop. */
  db?: Orm;
  /** Queue names to serve; default every configured queue. */
  queues?: string[];
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  id?: string;
  /** Observers for metrics and tests. */
  events?: SchedulerEvents;
}

export interface Scheduler {
  readonly id: string;
  readonly queues: string[];
  readonly db: Orm;
  start(): Promise<void>;
  /** Graceful: no claim after the call; waits up to shutdownTimeout, then interrupts what is left. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** One pass of every queue (claim → dispatch → settle, awaited) and one rescue pass. */
  runOnce(): Promise<{ dispatched: number; rescued: number }>;
  /** The adaptive rate in force per queue (null: unlimited). */
  rates(): Record<string, number | null>;
  /** This scheduler's metrics (served at scheduler.metrics when a port is set). */
  readonly metrics: Metrics;
  /** The metrics endpoint's port, when it is on. */
  metricsPort(): number | null;
}

export async function createScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'scheduler' });
  const names = options.queues ?? Object.keys(config.queues);
  const unknown = names.filter((name) => !config.queues[name]);
  if (unknown.length) {
    throw new DispatchrError('usage', `unknown queue${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (configured: ${Object.keys(config.queues).join(', ') || 'none'})`, { status: 2 });
  }
  const policies: Map<string, RetryPolicy> = await resolveRetryPolicies(config);
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await initOrm({ url: config.database.url, baseDir: config.source.dir, poolSize: config.database.poolSize }));
  try {
    await requireCurrentSchema(db);
  } catch (error) {
    if (ownsDb) await db.close();
    throw error;
  }
  const id = options.id ?? config.scheduler.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const repository = createDispatchRepository(db);
  const queueStates = createQueueStateRepository(db, clock);
  const registry = createSchedulerRegistry(db, clock);
  // undici's 64 connections per origin and thread (the pool's default). More, following
  // maxConcurrent, was measured and undone: with 128–256 sockets the memory run's RSS ended 80 MB
  // or more higher in 3 of 8 runs (the heap flat), with 64 in 1 of 9. See docs/deployment.md.
  const pool: DispatchPool = createDispatchPool({ threads: config.scheduler.workerThreads });
  const startedAt = clock.now();
  let stopping = false;
  let liveSchedulers = new Map<string, number>(); // queue → live schedulers serving it

  const rates = new Map<string, AdaptiveRate>();
  const taskRepository = createTaskRepository(db, clock);
  const metrics = createMetrics({
    summaries: () => taskRepository.queueSummaries(names),
    rates: () => Object.fromEntries([...rates].map(([name, rate]) => [name, rate.perSecond])),
  });
  const observers = [schedulerMetricEvents(metrics), options.events ?? {}];
  const events: SchedulerEvents = {
    onDecisions: (...args) => observers.forEach((o) => o.onDecisions?.(...args)),
    onRescued: (...args) => observers.forEach((o) => o.onRescued?.(...args)),
    onRateChange: (...args) => observers.forEach((o) => o.onRateChange?.(...args)),
  };
  let metricsServer: MetricsServer | null = null;
  const producers = new Map<string, Producer>();
  // Saves claims of paused queues; the claim refuses them anyway (pause-flags.ts).
  const paused = createPauseFlags({ queueStates, logger, onResumed: (name) => producers.get(name)?.wakeAll() });
  const limiters = names.map((name) => {
    const queue = config.queues[name];
    const rate = new AdaptiveRate({ configuredPerSecond: queue.rateLimit?.perSecond ?? null });
    rates.set(name, rate);
    return [name, createQueueLimiter(queue), rate] as const;
  });

  const heartbeat = createHeartbeat({
    registry,
    id,
    queues: names,
    startedAt,
    intervalMs: config.scheduler.heartbeatInterval,
    clock,
    logger,
    onFenced: () => pool.abortAll(),
    onRestored: () => producers.forEach((producer) => producer.wakeAll()),
  });

  /** A queue's configured rate is shared among the live schedulers that serve it. */
  const shareOf = (name: string, perSecond: number | null) => (perSecond === null ? null : perSecond / Math.max(1, liveSchedulers.get(name) ?? 1));

  for (const [name, limiter, rate] of limiters) {
    const queue = config.queues[name];
    producers.set(
      name,
      createProducer({
        name,
        queue,
        policy: policies.get(name)!,
        repository,
        pool,
        limiter,
        rate,
        owner: id,
        clock,
        random,
        logger,
        batchSize: config.scheduler.batchSize,
        leaseMs: config.scheduler.leaseDuration,
        pollIntervalMs: config.scheduler.pollInterval,
        isPaused: () => paused.has(name),
        mayClaim: () => !stopping && !heartbeat.fenced,
        mayDispatch: () => !heartbeat.fenced,
        concurrencyShare: () => queue.maxConcurrent,
        rateShare: (perSecond) => shareOf(name, perSecond),
        onDecisions: (decisions, tasks, results) => {
          logDecisions(logger, decisions, tasks);
          events.onDecisions?.(name, decisions, tasks, results);
        },
        onRateChange: (perSecond, reason) => events.onRateChange?.(name, perSecond, reason),
      }),
    );
  }

  const rescuer = createRescuer({
    config,
    policies,
    repository,
    clock,
    random,
    logger,
    deadAfterMs: DEAD_AFTER_INTERVALS * config.scheduler.heartbeatInterval,
    onRescued: (tasks, settlements) => events.onRescued?.(tasks, settlements),
  });
  const retention = createRetention({ config, repository, idempotency: createIdempotencyRepository(db, clock), clock, logger });

  const refreshPaused = () => paused.refresh();

  async function refreshLiveSchedulers(): Promise<void> {
    const now = clock.now();
    const live = (await registry.list()).filter((s) => isAlive(s, now, config.scheduler.heartbeatInterval));
    const counts = new Map<string, number>();
    for (const scheduler of live) for (const queue of scheduler.queues) counts.set(queue, (counts.get(queue) ?? 0) + 1);
    const changed = names.some((name) => (counts.get(name) ?? 1) !== (liveSchedulers.get(name) ?? 1));
    liveSchedulers = counts;
    if (!changed) return;
    for (const [name, limiter, rate] of limiters) {
      const queue = config.queues[name];
      limiter.update(shareOf(name, rate.perSecond), queue.maxConcurrent, queue.rateLimit?.burst);
    }
  }

  /**
   * SQLite has one writer and no SKIP LOCKED: one scheduler per database file. A live heartbeat of
   * another scheduler (in this process or another) refuses the start.
   */
  async function refuseSecondSqliteScheduler(): Promise<void> {
    const now = clock.now();
    const other = (await registry.list()).find((s) => s.id !== id && isAlive(s, now, config.scheduler.heartbeatInterval));
    if (other) {
      throw new DispatchrError(
        'sqlite_single_scheduler',
        `another scheduler (${other.id}, pid ${other.pid} on ${other.host}) already serves this SQLite database; SQLite supports one scheduler, use PostgreSQL to run several`,
        { status: 1 },
      );
    }
  }

  const wake = (queue: string | null) => {
    if (queue === null) {
      producers.forEach((producer) => producer.wakeAll());
      paused.rereadSoon(); // after a reconnect: a resume may be among the notifications missed
    } else if (paused.has(queue)) {
      paused.rereadSoon(); // a resume signals the due channel: the read wakes the queue
    } else {
      producers.get(queue)?.wake();
    }
  };
  const onLocalDue = (queue: string) => wake(queue);
  let notifier: Notifier | null = null;
  const loops: ServiceLoop[] = [];

  async function startUp(): Promise<void> {
    if (db.target.dialect === 'sqlite') await refuseSecondSqliteScheduler();
    await heartbeat.beat();
    await refreshPaused();
    await refreshLiveSchedulers().catch(() => undefined);
    heartbeat.start();
    dueSignal.on(DUE_EVENT, onLocalDue);
    if (db.target.dialect === 'postgresql') {
      // The parsed URL without ?schema= (the channel is per database; a plain string replace broke
      // URLs with more query parameters after schema=).
      notifier = createNotifier({ url: db.target.url, logger, onDue: wake });
      notifier.start();
    }
    const leaseMs = config.scheduler.leaseDuration;
    loops.push(
      createServiceLoop('rescuer', Math.min(Math.max(1_000, config.scheduler.heartbeatInterval), leaseMs / 4), () => rescuer.runOnce(), logger),
      createServiceLoop('queue-state', config.scheduler.pollInterval, refreshPaused, logger),
      createServiceLoop('schedulers', config.scheduler.heartbeatInterval, refreshLiveSchedulers, logger),
      createServiceLoop('retention', 60_000, async () => {
        await retention.runOnce();
        await registry.pruneSilent(new Date(clock.now().getTime() - Math.max(SILENT_SCHEDULER_KEPT_MS, 2 * leaseMs)));
      }, logger),
    );
    loops.forEach((loop) => loop.start());
    producers.forEach((producer) => producer.start());
    const { host, port } = config.scheduler.metrics;
    if (port !== undefined) metricsServer = await startMetricsServer(metrics, host, port, logger);
    logger.info({ schedulerId: id, queues: names, database: db.target.dialect }, 'scheduler started');
  }

  const scheduler: Scheduler = {
    id,
    queues: names,
    db,
    rates: () => Object.fromEntries([...rates].map(([name, rate]) => [name, rate.perSecond])),
    metrics,
    metricsPort: () => metricsServer?.port ?? null,

    async start() {
      try {
        await startUp();
      } catch (error) {
        // A start that fails (a second SQLite scheduler, the database down, the metrics port taken)
        // releases what it holds: worker threads and timers would keep the process alive forever.
        await scheduler.stop({ timeoutMs: 0 }).catch(() => undefined);
        throw error;
      }
    },

    async stop(stopOptions = {}) {
      if (stopping) return;
      stopping = true;
      const timeoutMs = stopOptions.timeoutMs ?? config.scheduler.shutdownTimeout;
      dueSignal.off(DUE_EVENT, onLocalDue);
      await Promise.all([...producers.values()].map((producer) => producer.stop()));
      const drained = (await Promise.all([...producers.values()].map((p) => p.drain(timeoutMs)))).every(Boolean);
      if (!drained) {
        // Cut what is left: those attempts are recorded as interrupted and given back.
        logger.warn('shutdown timeout reached; interrupting requests in flight');
        pool.abortAll();
        await Promise.all([...producers.values()].map((p) => p.drain(5_000)));
      }
      await Promise.all(loops.map((loop) => loop.stop()));
      await paused.stop();
      await metricsServer?.close();
      await notifier?.stop();
      await heartbeat.stop(true);
      await Promise.all(limiters.map(([, limiter]) => limiter.stop()));
      await pool.destroy();
      if (ownsDb) await db.close();
      logger.info({ schedulerId: id }, 'scheduler stopped');
    },

    async runOnce() {
      await refreshPaused();
      let dispatched = 0;
      for (const producer of producers.values()) {
        if (paused.has(producer.name)) continue;
        dispatched += await producer.runOnce();
      }
      const { rescued } = await rescuer.runOnce();
      return { dispatched, rescued };
    },
  };
  return scheduler;
}
