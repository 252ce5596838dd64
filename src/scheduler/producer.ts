import type { TaskRecord } from '../task.js';
import { createBatchDispatch } from './batch-dispatch.js';
import { createClaimLoops, type LoopHost } from './claim-loop.js';
import { errorText, type ProducerDeps } from './producer-deps.js';
import { createQueueRate } from './queue-rate.js';
import { Waiter } from './wait.js';

export type { ProducerDeps } from './producer-deps.js';

/**
 * One queue's producer: its claim loops (claim-loop.ts) claim due work, each batch is sent and
 * settled (batch-dispatch.ts), and what was settled feeds the queue's adaptive rate
 * (queue-rate.ts). Enough loops run to fill maxConcurrent, so batches overlap; the queue's
 * Bottleneck limiter bounds how many are in flight. This file holds what the parts share: the
 * tasks in flight, the loops' running flag and wake-ups, and the start, stop and drain.
 */
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

export function createProducer(deps: ProducerDeps): Producer {
  const { name, logger } = deps;
  const waiter = new Waiter();
  const batches = new Set<Promise<void>>();
  let inFlight = 0;
  let running = false;
  const rate = createQueueRate(deps);
  const dispatchAndSettle = createBatchDispatch(deps, rate);

  /** Sends and settles a claimed batch, counted in flight until its outcomes are written. */
  function runBatch(tasks: TaskRecord[]): Promise<void> {
    inFlight += tasks.length;
    const batch = dispatchAndSettle(tasks)
      .catch((error: unknown) => {
        // Only infrastructure failures land here (the pool itself); leases make the tasks safe.
        logger.error(
          { queue: name, err: errorText(error) },
          'a dispatch batch failed; its tasks return when their leases expire',
        );
      })
      .finally(() => {
        inFlight -= tasks.length;
        batches.delete(batch);
        waiter.wakeOne(); // capacity is free: an idle loop may claim now
      });
    batches.add(batch);
    return batch;
  }

  const host: LoopHost = {
    get running() {
      return running;
    },
    get inFlight() {
      return inFlight;
    },
    waiter,
    claiming: new Set<Promise<TaskRecord[]>>(),
    runBatch,
  };
  const loops = createClaimLoops(deps, host, rate);

  return {
    name,
    get inFlight() {
      return inFlight;
    },
    start() {
      if (running) return;
      running = true;
      waiter.open();
      for (const weight of loops.slotWeights()) void loops.slotLoop(weight);
    },
    async stop() {
      running = false;
      waiter.close();
      // Loops holding a claimed batch go on sending it (drain() waits for those); loops still
      // waiting or claiming end here. A loop queued for a slot finds `running` false and ends.
      while (host.claiming.size > 0) await Promise.allSettled([...host.claiming]);
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
      const { tasks } = await loops.claimBatch(Math.min(deps.batchSize, deps.concurrencyShare()));
      if (tasks.length > 0) await deps.limiter.run(tasks.length, () => runBatch(tasks));
      return tasks.length;
    },
  };
}
