import { backoffMs } from '../backoff.js';
import { isDatabaseUnavailable } from '../db/db-errors.js';
import type { TaskRecord } from '../task.js';
import { DATABASE_BACKOFF, errorText, type ProducerDeps } from './producer-deps.js';
import type { QueueRate } from './queue-rate.js';
import type { Waiter } from './wait.js';

/**
 * A queue's claim loops. Each loop first takes a slot of the queue's Bottleneck limiter (weight =
 * one batch), then waits for due work and claims what the queue can take right now (one
 * statement), hands the batch on to be sent and settled, and only then gives the slot back.
 * Because a loop waits for work while already holding its slot, Bottleneck's own cost (a few
 * milliseconds of timer hops per schedule) is paid while idle, never between a task becoming due
 * and its request.
 */

/** What the loops read from, and hand batches to, the producer that runs them (producer.ts). */
export interface LoopHost {
  /** False once the producer stops: loops end. */
  readonly running: boolean;
  /** Tasks claimed and not yet settled. */
  readonly inFlight: number;
  readonly waiter: Waiter;
  /** Loops between taking a slot and holding a claimed batch: stop() waits for these. */
  readonly claiming: Set<Promise<TaskRecord[]>>;
  /** Sends and settles a claimed batch; resolves once its outcomes are written. */
  runBatch(tasks: TaskRecord[]): Promise<void>;
}

export interface ClaimLoops {
  /** The slots' weights (see below): one loop runs per slot. */
  slotWeights(): number[];
  /** One claim loop, until the producer stops. */
  slotLoop(weight: number): Promise<void>;
  /** One claim of up to `weight` tasks, now. */
  claimBatch(weight: number): Promise<{ tasks: TaskRecord[]; full: boolean; at: number }>;
}

export function createClaimLoops(deps: ProducerDeps, host: LoopHost, rate: QueueRate): ClaimLoops {
  const { name, logger } = deps;
  const { waiter } = host;
  /** Claims that failed in a row, for the backoff. */
  let errors = 0;

  /** `at`: the time the claim took tasks as of (0 when no claim ran: then nothing is due before it). */
  async function claimBatch(weight: number): Promise<{ tasks: TaskRecord[]; full: boolean; at: number }> {
    const free = deps.concurrencyShare() - host.inFlight;
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
    while (host.running) {
      try {
        await deps.limiter.run(weight, occupy);
      } catch (error) {
        // The limiter refused the job (stopped, or a weight over a lowered maxConcurrent): a bug or
        // shutdown, never an outcome. Back off rather than spin.
        if (!host.running) return;
        logger.error({ queue: name, err: errorText(error) }, 'the queue limiter refused a claim slot; retrying');
        await waiter.sleep(DATABASE_BACKOFF.maxMs);
      }
    }
  }

  /** One turn of a slot: wait for due work and claim it, then send and settle that batch. */
  async function occupySlot(weight: number): Promise<void> {
    const claim = waitAndClaim(weight);
    host.claiming.add(claim);
    let tasks: TaskRecord[];
    try {
      tasks = await claim;
    } finally {
      host.claiming.delete(claim);
    }
    if (tasks.length > 0) await host.runBatch(tasks);
  }

  /** Sleeps until work is due and claims up to `weight` tasks; answers [] once the producer stops. */
  async function waitAndClaim(weight: number): Promise<TaskRecord[]> {
    while (host.running) {
      rate.tick(deps.clock.now().getTime());
      if (deps.isPaused() || !deps.mayClaim()) {
        await waiter.sleep(deps.pollIntervalMs);
        continue;
      }
      try {
        const { tasks, full, at } = await claimBatch(weight);
        errors = 0;
        if (tasks.length > 0) {
          logger.debug(
            { queue: name, claimed: tasks.length, inFlight: host.inFlight + tasks.length },
            'claimed a batch',
          );
          // A full batch suggests more is due: another idle loop claims it meanwhile.
          if (full) waiter.wakeOne();
          return tasks;
        }
        await waiter.sleep(await idleMs(at));
      } catch (error) {
        errors += 1;
        const backoff = backoffMs(errors, DATABASE_BACKOFF);
        const level = isDatabaseUnavailable(error) ? 'warn' : 'error';
        logger[level]({ queue: name, err: errorText(error), retryInMs: backoff }, 'claiming failed; backing off');
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
    if (host.inFlight >= deps.concurrencyShare()) return deps.pollIntervalMs;
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

  return { slotWeights, slotLoop, claimBatch };
}
