import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { Orm } from '../db/orm.js';
import { createQueueStateRepository } from '../db/queue-state.repository.js';
import { createSchedulerRegistry, isAlive } from '../db/scheduler-registry.repository.js';
import { createTaskRepository } from '../db/task.repository.js';
import { WAITING_STATES, type TaskRecord } from '../task.js';
import { explainWaiting, type WaitingReason } from './waiting-reason.js';

/**
 * Gathers the facts for `explainWaiting` (paused flag, live schedulers, running and due-ahead
 * counts) with a handful of small queries; only for tasks that are waiting and due.
 */
export async function explainTask(
  db: Orm,
  config: ResolvedConfig,
  task: TaskRecord,
  clock: Clock = systemClock,
): Promise<WaitingReason> {
  const now = clock.now();
  const facts = { now, queue: config.queues[task.queue], paused: false, liveSchedulers: 1, running: 0, dueAhead: 0 };
  const waitingAndDue =
    (task.state === 'available' || task.state === 'scheduled' || task.state === 'retryable') && task.runAt <= now;
  if (waitingAndDue && facts.queue) {
    const [paused, schedulers, load] = await Promise.all([
      createQueueStateRepository(db, clock).pausedQueues(),
      createSchedulerRegistry(db, clock).list(),
      createTaskRepository(db, clock).queueLoad(task),
    ]);
    facts.paused = paused.has(task.queue);
    facts.liveSchedulers = schedulers.filter(
      (s) => isAlive(s, now, config.scheduler.heartbeatInterval) && s.queues.includes(task.queue),
    ).length;
    facts.running = load.running;
    facts.dueAhead = load.dueAhead;
  }
  return explainWaiting(task, facts);
}

/**
 * The `waiting` field of `GET /v1/tasks/{id}` and `tasks show`: why a waiting task (scheduled,
 * available, retryable) is not running yet; null for a running or finished task, which is not
 * waiting for anything (its state and attempts say what is going on).
 */
export async function waitingReasonOf(
  db: Orm,
  config: ResolvedConfig,
  task: TaskRecord,
  clock: Clock = systemClock,
): Promise<WaitingReason | null> {
  if (!(WAITING_STATES as readonly string[]).includes(task.state)) return null;
  return explainTask(db, config, task, clock);
}
