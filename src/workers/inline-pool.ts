import { DispatchrError } from '../errors.js';
import type { Batch } from './attempt-batch.js';
import { abortedResult, type DispatchPool } from './pool.js';
import type { DispatchRequest, DispatchResult, DispatchWorkerData } from './protocol.js';
import { createDispatchAgents, startBatch } from './send-request.js';

/**
 * `threads: 0`: the dispatch pool on the calling thread (no piscina), which the push-ceiling
 * prototype found just as fast on small machines. Same contract as the threaded pool (pool.ts).
 */
export function createInlinePool(workerData: DispatchWorkerData): DispatchPool {
  const agents = createDispatchAgents({ connectionsPerOrigin: workerData.connectionsPerOrigin });
  const inFlight = new Map<AbortController, Batch>();
  const running = new Set<Promise<unknown>>();
  let destroyed = false;

  const abortAll = (): void => {
    for (const controller of inFlight.keys()) controller.abort();
  };

  const runBatch = async (requests: DispatchRequest[], signal: AbortSignal | undefined): Promise<DispatchResult[]> => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const batch = startBatch(requests, agents, controller.signal);
    inFlight.set(controller, batch);
    try {
      return await batch.done;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      inFlight.delete(controller);
    }
  };

  return {
    threads: 0,
    abortAll,
    cancel(taskId, attempt) {
      for (const batch of inFlight.values()) batch.cancel(taskId, attempt);
    },
    async dispatch(requests, { signal } = {}) {
      if (destroyed) throw new DispatchrError('pool_destroyed', 'the dispatch pool was destroyed');
      if (requests.length === 0) return [];
      if (signal?.aborted) return requests.map(abortedResult);
      const batch = runBatch(requests, signal);
      running.add(batch);
      try {
        return await batch;
      } finally {
        running.delete(batch);
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      abortAll();
      await Promise.allSettled([...running]);
      await agents.close();
    },
  };
}
