import type { Clock } from '../clock.js';
import type { QueueConfig } from '../config/schema.js';
import type { DispatchRepository, Settlement } from '../db/dispatch.repository.js';
import { isDatabaseUnavailable } from '../db/db-errors.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../strategies/load-plugins.js';
import type { TaskRecord } from '../task.js';
import type { DispatchPool } from '../workers/pool.js';
import { sendWithinMs, unsentResult, type DispatchRequest, type DispatchResult } from '../workers/protocol.js';
import { describeRateChange, type AdaptiveRate, type RateChange } from './adaptive-rate.js';
import { failpoint } from './failpoints.js';
import type { QueueLimiter } from './limiters.js';
import { decideOutcome, type Decision } from './outcome.js';
import { buildDispatchRequest } from './request-builder.js';
import { Waiter, delay } from './wait.js';

/**
 * One queue's claim loops. Each loop first takes a slot of the queue's Bottleneck limiter (weight
 * = one batch), then waits for due work, claims what the queue can take right now (one statement),
 * sends it as one batch through the worker pool and settles it (one statement), and only then
 * gives the slot back. Enough loops run to fill maxConcurrent, so batches overlap; Bottleneck
 * bounds how many are in flight. Because a loop waits for work while already holding its slot,
 * Bottleneck's own cost (a few milliseconds of timer hops per schedule) is paid while idle, never
 * between a task becoming due and its request.
 */
export interface ProducerDeps {
  name: string;
  queue: QueueConfig;
  policy: RetryPolicy;
  repository: DispatchRepository;
  pool: DispatchPool;
  limiter: QueueLimiter;
  rate: AdaptiveRate;
  owner: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** Paused queues are not claimed. */
  isPaused(): boolean;
  /** False while this scheduler may not claim (stopping, or fenced after losing its heartbeat). */
  mayClaim(): boolean;
  /**
   * False while fenced: a batch claimed earlier but still waiting for its turn is given back
   * (recorded as interrupted) instead of sent, since other schedulers may be rescuing it.
   */
  mayDispatch?(): boolean;
  /** This scheduler's share of the queue's maxConcurrent. */
  concurrencyShare(): number;
  /** This scheduler's share of a queue-wide rate (split among the live schedulers serving it). */
  rateShare?(perSecond: number | null): number | null;
  onDecisions?(decisions: Decision[], tasks: TaskRecord[], results: DispatchResult[]): void;
  onRateChange?(perSecond: number | null, reason: string): void;
}

export interface Producer {
  readonly name: string;
  readonly inFlight: number;
  start(): void;
  /** Stops claiming; resolves when no loop will claim again (batches in flight go on). */
  stop(): Promise<void>;
  /** Resolves when no batch is in flight, or after `timeoutMs`; answers whether it drained. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Due work appeared: one idle loop claims (it wakes the next if it finds a full batch). */
  wake(): void;
  /** Every idle loop re-checks now (fencing lifted, a queue resumed). */
  wakeAll(): void;
  /** One claim → dispatch → settle cycle, awaited: for tests and `runOnce()`. */
  runOnce(): Promise<number>;
}

const MAX_BACKOFF_MS = 5_000;
const ABORTED = AbortSignal.abort();

export function createProducer(deps: ProducerDeps): Producer {
  const { name, logger } = deps;
  const waiter = new Waiter();
  const batches = new Set<Promise<void>>();
  let inFlight = 0;
  let running = false;
  /** Loops between taking a slot and holding a claimed batch: stop() waits for these. */
  const claiming = new Set<Promise<TaskRecord[]>>();
  let errors = 0;
  // Settled batches of the last second (time, size), for the observed rate: one entry per batch.
  const completions: Array<{ at: number; count: number }> = [];
  let completedLastSecond = 0;

  /** `at`: the time the claim took tasks as of (0 when no claim ran: then nothing is due before it). */
  async function claimBatch(weight: number): Promise<{ tasks: TaskRecord[]; full: boolean; at: number }> {
    const free = deps.concurrencyShare() - inFlight;
    if (free <= 0) return { tasks: [], full: false, at: 0 };
    // Rate tokens are taken before the claim, so a claimed batch never waits for the rate while
    // its lease runs; what the claim does not use goes back.
    const size = deps.limiter.take(Math.min(weight, free));
    if (size <= 0) return { tasks: [], full: false, at: 0 };
    let claimed: TaskRecord[] = [];
    const now = deps.clock.now();
    try {
      claimed = await deps.repository.claim({
        queue: name,
        limit: size,
        owner: deps.owner,
        now,
        leaseMs: deps.leaseMs,
        maxConcurrent: deps.queue.maxConcurrent,
      });
      return { tasks: claimed, full: claimed.length === size, at: now.getTime() };
    } finally {
      deps.limiter.giveBack(size - claimed.length);
    }
  }

  async function dispatchAndSettle(tasks: TaskRecord[]): Promise<void> {
    failpoint('after-claim', () => tasks.map((task) => task.id));
    const refused: Decision[] = [];
    const refusedTasks: TaskRecord[] = [];
    const sendable: TaskRecord[] = [];
    const requests = [];
    for (const task of tasks) {
      const built = buildDispatchRequest(task, deps.queue, deps.leaseMs);
      if (built.ok) {
        sendable.push(task);
        requests.push(built.request);
      } else {
        // The request builder refused the target: failed at once, nothing sent.
        refused.push(decideOutcome(task, unsentResult({ taskId: task.id, attempt: task.attempt }, 'guard-refused', built.reason, deps.clock.now()), context()));
        refusedTasks.push(task);
      }
    }
    const fenced = deps.mayDispatch?.() === false;
    const results = await sendWithinLease(requests, sendable, fenced);
    failpoint('after-response', () => tasks.map((task) => task.id));
    const decisions = holeyMap(sendable, (task, i) => decideOutcome(task, results[i], context()));
    // Sent first, then refused: decisions and tasks in the same order.
    const all = refused.length === 0 ? decisions : decisions.concat(refused);
    await settle(holeyMap(all, (d) => d.settlement));
    deps.onDecisions?.(all, refused.length === 0 ? sendable : sendable.concat(refusedTasks), results);
    observe(decisions);
  }

  /**
   * A request is only sent while the task's lease covers its whole timeout plus a margin
   * (protocol.ts, sendWithinMs); a task whose lease no longer does (it waited too long after its
   * claim) is given back unsent, recorded as interrupted. The timeout is never shortened. So no
   * request of this scheduler is ever in flight after its lease expired, when the rescuer may
   * already have handed the task to another scheduler.
   */
  async function sendWithinLease(requests: DispatchRequest[], tasks: TaskRecord[], fenced: boolean): Promise<DispatchResult[]> {
    if (requests.length === 0) return [];
    if (fenced) return deps.pool.dispatch(requests, { signal: ABORTED });
    const now = deps.clock.now().getTime();
    const results: DispatchResult[] = new Array(requests.length);
    const send: DispatchRequest[] = [];
    const at: number[] = [];
    requests.forEach((request, i) => {
      const leaseLeftMs = (tasks[i].leaseExpiresAt?.getTime() ?? now + deps.leaseMs) - now;
      const waitMs = sendWithinMs(leaseLeftMs, request.timeoutMs, deps.leaseMs);
      if (waitMs < 0) {
        // Recorded as interrupted: the attempt is not spent.
        const why = `not sent: ${Math.max(0, Math.round(leaseLeftMs))} ms of lease left, less than its ${request.timeoutMs} ms timeout and the margin`;
        results[i] = unsentResult(request, 'aborted', why, deps.clock.now());
        return;
      }
      // The worker sends it only within this time (it may wait for a connection to its target).
      request.sendWithinMs = waitMs;
      send.push(request);
      at.push(i);
    });
    if (send.length < requests.length) {
      logger.warn({ queue: name, givenBack: requests.length - send.length }, 'tasks waited past their lease before sending; given back unsent');
    }
    const sent = send.length ? await deps.pool.dispatch(send) : [];
    sent.forEach((result, j) => (results[at[j]] = result));
    return results;
  }

  function context() {
    return { queue: deps.queue, policy: deps.policy, owner: deps.owner, now: deps.clock.now(), random: deps.random };
  }

  /**
   * Writes outcomes, retrying through database outages while the lease still holds: an outcome is
   * only dropped when the lease is about to expire, and then the rescuer owns the task.
   */
  async function settle(settlements: Settlement[]): Promise<void> {
    const giveUpAt = deps.clock.now().getTime() + deps.leaseMs * 0.9;
    for (let attempt = 0; ; attempt++) {
      try {
        if (settlements.length > 1) failpoint('mid-settle', () => settlements.map((s) => s.taskId));
        await deps.repository.settle(settlements, deps.clock.now());
        return;
      } catch (error) {
        if (deps.clock.now().getTime() > giveUpAt) {
          logger.error({ queue: name, tasks: settlements.length, err: describe(error) }, 'could not record outcomes before the lease ran out; the rescuer will retry these tasks');
          return;
        }
        logger.warn({ queue: name, err: describe(error) }, 'recording outcomes failed; retrying');
        await delay(Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt));
      }
    }
  }

  /** Tasks settled over the last second. */
  function observedRate(now: number): number {
    while (completions.length && completions[0].at < now - 1000) completedLastSecond -= completions.shift()!.count;
    return completedLastSecond;
  }

  function observe(decisions: Decision[]): void {
    const now = deps.clock.now().getTime();
    completions.push({ at: now, count: decisions.length });
    completedLastSecond += decisions.length;
    observedRate(now);
    if (decisions.some((d) => d.backpressure)) {
      const change = deps.rate.onBackpressure(now, completedLastSecond);
      if (change) applyRate(change.perSecond, change.reason);
    }
  }

  function applyRate(perSecond: number | null, reason: RateChange['reason']): void {
    // The adaptive rate is the queue's total; this scheduler applies its share of it.
    deps.limiter.update(deps.rateShare ? deps.rateShare(perSecond) : perSecond, deps.concurrencyShare(), deps.queue.rateLimit?.burst);
    deps.onRateChange?.(perSecond, reason);
    const line = describeRateChange({ perSecond, reason });
    logger[line.level]({ queue: name, perSecond: line.perSecond, reason }, line.message);
  }

  /** Sends and settles a claimed batch, counted in flight until its outcomes are written. */
  function runBatch(tasks: TaskRecord[]): Promise<void> {
    inFlight += tasks.length;
    const batch = dispatchAndSettle(tasks)
      .catch((error: unknown) => {
        // Only infrastructure failures land here (the pool itself); leases make the tasks safe.
        logger.error({ queue: name, err: describe(error) }, 'a dispatch batch failed; its tasks return when their leases expire');
      })
      .finally(() => {
        inFlight -= tasks.length;
        batches.delete(batch);
        waiter.wakeOne(); // capacity is free: an idle loop may claim now
      });
    batches.add(batch);
    return batch;
  }

  /**
   * The slots' weights: maxConcurrent split evenly over enough slots that none exceeds a batch (5
   * with batches of 2 is 2 + 2 + 1), so together they admit exactly maxConcurrent tasks in flight.
   * At least two slots when the queue admits two tasks: one loop claims and settles while the
   * other's requests are in flight, and a task that turns due mid-batch need not wait for the
   * slowest request of that batch.
   */
  function slotWeights(): number[] {
    const share = Math.max(1, deps.concurrencyShare());
    const slots = Math.max(Math.min(2, share), Math.ceil(share / Math.max(1, deps.batchSize)));
    const base = Math.floor(share / slots);
    return Array.from({ length: slots }, (_, i) => base + (i < share % slots ? 1 : 0));
  }

  /** One claim loop: a slot of `weight` tasks, taken again after each batch it carried. */
  async function slotLoop(weight: number): Promise<void> {
    const occupy = () => occupySlot(weight);
    while (running) {
      try {
        await deps.limiter.run(weight, occupy);
      } catch (error) {
        // The limiter refused the job (stopped, or a weight over a lowered maxConcurrent): a bug or
        // shutdown, never an outcome. Back off rather than spin.
        if (!running) return;
        logger.error({ queue: name, err: describe(error) }, 'the queue limiter refused a claim slot; retrying');
        await waiter.sleep(MAX_BACKOFF_MS);
      }
    }
  }

  /** One turn of a slot: wait for due work and claim it, then send and settle that batch. */
  async function occupySlot(weight: number): Promise<void> {
    const claim = waitAndClaim(weight);
    claiming.add(claim);
    let tasks: TaskRecord[];
    try {
      tasks = await claim;
    } finally {
      claiming.delete(claim);
    }
    if (tasks.length > 0) await runBatch(tasks);
  }

  /** Sleeps until work is due and claims up to `weight` tasks; answers [] once the producer stops. */
  async function waitAndClaim(weight: number): Promise<TaskRecord[]> {
    while (running) {
      const now = deps.clock.now().getTime();
      const tick = deps.rate.tick(now, observedRate(now));
      if (tick) applyRate(tick.perSecond, tick.reason);
      if (deps.isPaused() || !deps.mayClaim()) {
        await waiter.sleep(deps.pollIntervalMs);
        continue;
      }
      try {
        const { tasks, full, at } = await claimBatch(weight);
        errors = 0;
        if (tasks.length > 0) {
          logger.debug({ queue: name, claimed: tasks.length, inFlight: inFlight + tasks.length }, 'claimed a batch');
          // A full batch suggests more is due: another idle loop claims it meanwhile.
          if (full) waiter.wakeOne();
          return tasks;
        }
        await waiter.sleep(await idleMs(at));
      } catch (error) {
        errors += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(errors, 8));
        const level = isDatabaseUnavailable(error) ? 'warn' : 'error';
        logger[level]({ queue: name, err: describe(error), retryInMs: backoff }, 'claiming failed; backing off');
        await waiter.sleep(backoff);
      }
    }
    return [];
  }

  /**
   * How long to idle after a claim (made as of `claimedAt`) took nothing: until the next task is
   * due, a slot frees, a wake-up, or the poll interval.
   */
  async function idleMs(claimedAt: number): Promise<number> {
    if (inFlight >= deps.concurrencyShare()) return deps.pollIntervalMs;
    const tokens = await deps.limiter.tokens();
    if (tokens < 1) return Math.max(10, Math.ceil(1000 / Math.max(1, deps.rate.perSecond ?? 1000)));
    const next = await deps.repository.nextDueAt(name);
    if (!next) return deps.pollIntervalMs;
    // Due when the claim ran, yet not claimed: the queue's concurrency is held elsewhere (other
    // schedulers, or running tasks of a dead one not yet rescued), or another claim holds those
    // rows. Claiming again at once would spin, a claim and a read per turn as fast as the
    // database answers, until a slot frees; look again after the poll interval instead.
    if (next.getTime() <= claimedAt) return deps.pollIntervalMs;
    return Math.max(0, Math.min(deps.pollIntervalMs, next.getTime() - deps.clock.now().getTime()));
  }

  return {
    name,
    get inFlight() {
      return inFlight;
    },
    start() {
      if (running) return;
      running = true;
      for (const weight of slotWeights()) void slotLoop(weight);
    },
    async stop() {
      running = false;
      waiter.wakeAll();
      // Loops holding a claimed batch go on sending it (drain() waits for those); loops still
      // waiting or claiming end here. A loop queued for a slot finds `running` false and ends.
      while (claiming.size > 0) await Promise.allSettled([...claiming]);
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (batches.size > 0) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        // The deadline timer is cleared once the batches are done: left running, it would hold the
        // process open for the rest of the timeout after a graceful stop.
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
        await Promise.race([Promise.allSettled([...batches]), expired]);
        clearTimeout(timer);
      }
      return true;
    },
    wake: () => waiter.wakeOne(),
    wakeAll: () => waiter.wakeAll(),
    async runOnce() {
      const { tasks } = await claimBatch(Math.min(deps.batchSize, deps.concurrencyShare()));
      if (tasks.length > 0) await deps.limiter.run(tasks.length, () => runBatch(tasks));
      return tasks.length;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `list.map(fn)`, but always into a holey array. V8's `map` builtin makes a packed array and its
 * optimized inline version a holey one, so when dispatchAndSettle was optimized the arrays it
 * hands on changed kind, and the per-batch functions that read them (settleColumns, onDecisions)
 * were deoptimized ("wrong map") and compiled again inside the bench's window: 50-110 ms of a
 * compiler thread each time (docs/performance.md, "The warm-up").
 */
function holeyMap<T, U>(list: readonly T[], fn: (item: T, index: number) => U): U[] {
  const out = new Array<U>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = fn(list[i], i);
  return out;
}
