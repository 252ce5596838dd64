import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import { createDispatchRepository } from '../db/dispatch.repository.js';
import { createIdempotencyRepository } from '../db/idempotency.repository.js';
import { DUE_EVENT, dueSignal } from '../db/due-signal.js';
import type { Orm } from '../db/orm.js';
import { createQueueStateRepository } from '../db/queue-state.repository.js';
import { createSchedulerRegistry } from '../db/scheduler-registry.repository.js';
import { createLogger, type Logger } from '../logger.js';
import { resolveRetryPolicies, type RetryPolicy } from '../strategies/load-plugins.js';
import { createDispatchPool, type DispatchPool } from '../workers/pool.js';
import { AdaptiveRate } from './adaptive-rate.js';
import { createCancelRunningRepository } from '../db/cancel-running.repository.js';
import { createCancelWatch } from './cancel-watch.js';
import { createHeartbeat, DEAD_AFTER_INTERVALS } from './heartbeat.js';
import { createQueueLimiter } from './limiters.js';
import type { WakeUps } from '../db/driver.js';
import { createPauseFlags } from './pause-flags.js';
import type { Producer } from './producer.js';
import { createQueueProducer } from './queue-producer.js';
import { createRescuer } from './rescuer.js';
import { createRetention } from './retention.js';
import { createSchedulerCron, type SchedulerCron } from './scheduler-cron.js';
import { createSchedulerLoops, routeWakeUp } from './scheduler-loops.js';
import { createSchedulerPeers, type QueueLimits } from './scheduler-peers.js';
import { openSchedulerDb, schedulerIdOf, servedQueueNames } from './scheduler-setup.js';
import type { SchedulerEvents } from './transition-log.js';
import type { ServiceLoop } from './service-loop.js';
import { createTaskRepository } from '../db/task.repository.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { schedulerMetricEvents } from './scheduler-metrics.js';
import { createQueueSummary } from './queue-summary.js';

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
  /**
   * The dispatch pool, when the caller started it early (`dispatchr schedule` does, so the worker
   * thread loads while the config and database are read); the scheduler owns it from here and
   * destroys it on stop. Default: one of `scheduler.workerThreads` threads.
   */
  pool?: DispatchPool;
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
  /** Cron firing (started with the scheduler); `runOnce` fires what is due by the injected clock. */
  readonly cron: SchedulerCron;
  /** The metrics endpoint's port, when it is on. */
  metricsPort(): number | null;
}

export async function createScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger =
    options.logger ?? createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'scheduler' });
  const names = servedQueueNames(config, options.queues);
  const policies: Map<string, RetryPolicy> = await resolveRetryPolicies(config);
  const { db, owned: ownsDb } = await openSchedulerDb(config, options.db);
  const id = schedulerIdOf(config, options.id);
  const repository = createDispatchRepository(db);
  const queueStates = createQueueStateRepository(db, clock);
  const registry = createSchedulerRegistry(db, clock);
  // undici's 64 connections per origin and thread (the pool's default). More, following
  // maxConcurrent, was measured and undone: with 128–256 sockets the memory run's RSS ended 80 MB
  // or more higher in 3 of 8 runs (the heap flat), with 64 in 1 of 9. See docs/deployment.md.
  const pool: DispatchPool = options.pool ?? createDispatchPool({ threads: config.scheduler.workerThreads });
  const startedAt = clock.now();
  let stopping = false;

  const rates = new Map<string, AdaptiveRate>();
  const taskRepository = createTaskRepository(db, clock);
  const metrics = createMetrics({
    summaries: () => taskRepository.queueSummaries(names),
    rates: () => Object.fromEntries([...rates].map(([name, rate]) => [name, rate.perSecond])),
  });
  const producers = new Map<string, Producer>();
  const summary = createQueueSummary({
    logger,
    intervalMs: config.log.summaryInterval,
    rateInForce: (name) => shareOf(name, rates.get(name)?.perSecond ?? null),
    inFlight: (name) => producers.get(name)?.inFlight ?? 0,
  });
  const observers = [schedulerMetricEvents(metrics), summary.events, options.events ?? {}];
  const events: SchedulerEvents = {
    onDecisions: (...args) => observers.forEach((o) => o.onDecisions?.(...args)),
    onRescued: (...args) => observers.forEach((o) => o.onRescued?.(...args)),
    onRateChange: (...args) => observers.forEach((o) => o.onRateChange?.(...args)),
  };
  let metricsServer: MetricsServer | null = null;
  // Saves claims of paused queues; the claim refuses them anyway (pause-flags.ts).
  const paused = createPauseFlags({ queueStates, logger, onResumed: (name) => producers.get(name)?.wakeAll() });
  const limiters: QueueLimits[] = names.map((name) => {
    const queue = config.queues[name];
    const rate = new AdaptiveRate({ configuredPerSecond: queue.rateLimit?.perSecond ?? null });
    rates.set(name, rate);
    return { name, queue, limiter: createQueueLimiter(queue), rate };
  });
  const peers = createSchedulerPeers({
    registry,
    id,
    heartbeatIntervalMs: config.scheduler.heartbeatInterval,
    clock,
    limits: limiters,
  });
  const shareOf = peers.shareOf;

  const heartbeat = createHeartbeat({
    registry,
    id,
    queues: names,
    startedAt,
    intervalMs: config.scheduler.heartbeatInterval,
    rates: () => Object.fromEntries(limiters.map(({ name, rate }) => [name, shareOf(name, rate.perSecond)])), // what each limiter enforces, for the recorder (spec 4.10)
    clock,
    logger,
    onFenced: () => pool.abortAll(),
    onRestored: () => producers.forEach((producer) => producer.wakeAll()),
  });

  let wakeUps: WakeUps | null = null;
  const cancels = createCancelWatch({
    repository: createCancelRunningRepository(db),
    pool,
    owner: id,
    clock,
    logger,
    pollIntervalMs: config.scheduler.pollInterval,
    needsPolling: () => !wakeUps?.connected,
  });

  const sharedProducerDeps = {
    config,
    policies,
    repository,
    pool,
    owner: id,
    clock,
    random,
    logger,
    isPaused: (name: string) => paused.has(name),
    mayClaim: () => !stopping && !heartbeat.fenced,
    mayDispatch: () => !heartbeat.fenced,
    shareOf,
    events,
    cancels,
  };
  for (const limits of limiters) producers.set(limits.name, createQueueProducer(limits, sharedProducerDeps));

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
  const retention = createRetention({
    config,
    repository,
    idempotency: createIdempotencyRepository(db, clock),
    clock,
    logger,
  });

  const cron = createSchedulerCron({ db, config, clock, logger, metrics });

  const refreshPaused = () => paused.refresh();
  const refreshLiveSchedulers = () => peers.refresh();
  const wake = routeWakeUp(producers, paused);
  const onLocalDue = (queue: string) => wake(queue);
  const loops: ServiceLoop[] = [];

  async function startUp(): Promise<void> {
    if (db.driver.oneScheduler) await peers.refuseSecondScheduler(db.driver.title);
    await heartbeat.beat();
    // Each served queue's defaultPriority, for inserts that cannot see the config (spec 11.1).
    await queueStates.recordDefaults(Object.fromEntries(names.map((name) => [name, config.queues[name]])));
    await refreshPaused();
    await refreshLiveSchedulers().catch(() => undefined);
    heartbeat.start();
    dueSignal.on(DUE_EVENT, onLocalDue);
    // Wake-ups from other processes where the database has them; polling covers the rest.
    wakeUps = db.listen?.({ logger, onDue: wake, onCancelled: cancels.onCancelled }) ?? null;
    wakeUps?.start();
    cancels.loop.start();
    loops.push(
      ...createSchedulerLoops({
        config,
        rescuer,
        retention,
        paused,
        refreshPeers: refreshLiveSchedulers,
        registry,
        clock,
        logger,
      }),
    );
    loops.forEach((loop) => loop.start());
    await cron.start();
    producers.forEach((producer) => producer.start());
    summary.start();
    const { host, port } = config.scheduler.metrics;
    if (port !== undefined) metricsServer = await startMetricsServer(metrics, host, port, logger);
    logger.info({ schedulerId: id, queues: names, database: db.driver.name }, 'scheduler started');
  }

  const scheduler: Scheduler = {
    id,
    queues: names,
    db,
    rates: () => Object.fromEntries([...rates].map(([name, rate]) => [name, rate.perSecond])),
    metrics,
    metricsPort: () => metricsServer?.port ?? null,
    cron,

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
      await cron.stop();
      await Promise.all([...producers.values()].map((producer) => producer.stop()));
      const drained = (await Promise.all([...producers.values()].map((p) => p.drain(timeoutMs)))).every(Boolean);
      if (!drained) {
        // Cut what is left: those attempts are recorded as interrupted and given back.
        logger.warn('shutdown timeout reached; interrupting requests in flight');
        pool.abortAll();
        await Promise.all([...producers.values()].map((p) => p.drain(5_000)));
      }
      // Every outcome is recorded by now: the last window's line, before anything else can fail.
      summary.stop();
      await Promise.all(loops.map((loop) => loop.stop()));
      await cancels.loop.stop();
      await paused.stop();
      await metricsServer?.close();
      await wakeUps?.stop();
      await heartbeat.stop(true);
      await Promise.all(limiters.map(({ limiter }) => limiter.stop()));
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
