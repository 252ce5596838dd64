import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { DispatchrError } from '../errors.js';
import {
  ABORT_BATCH,
  unsentResult,
  type DispatchBatch,
  type DispatchRequest,
  type DispatchResult,
  type DispatchWorkerData,
  type CancelAttempt,
} from './protocol.js';
import { packRequests, unpackResults, type PackedResults } from './protocol-pack.js';

/**
 * The dispatch pool: hands BATCHES of requests to piscina worker threads (one thread hop per
 * batch, not per request) and returns results in order. A batch crosses the thread boundary as
 * columns (protocol.ts: packRequests/packResults), which structured clone copies in about half the
 * time of an array of objects.
 * `threads: 0` runs the same code on the calling thread (no piscina), which the push-ceiling
 * prototype found just as fast on small machines.
 *
 * Aborting (per call `signal`, or `abortAll()` when the scheduler loses its heartbeat): the
 * batch's in-flight requests are cut and dispatch() still RESOLVES, each cut request with
 * errorKind 'aborted' (requests already answered keep their status). An already-aborted signal
 * resolves at once without sending. dispatch() rejects only when the pool itself fails (destroyed,
 * worker crashed); the requests of such a batch may or may not have been sent.
 *
 * Why not piscina's own `signal`: for a running task piscina terminates the whole worker thread,
 * which would kill every other batch on it. Instead each batch carries a MessagePort; one message
 * on it aborts just that batch inside the worker.
 */
export interface DispatchPoolOptions {
  /** Worker threads (min = max). 0: dispatch on the calling thread. Default 1. */
  threads?: number;
  /** Batches one thread works on at once; each batch already runs its requests concurrently. */
  concurrentTasksPerWorker?: number;
  /** undici connections per origin, per thread (default 64). A request waiting for a free
   *  connection is already inside its timeout, so size this to the queue's concurrency. */
  connectionsPerOrigin?: number;
}

export interface DispatchOptions {
  signal?: AbortSignal;
}

export interface DispatchPool {
  readonly threads: number;
  dispatch(requests: DispatchRequest[], options?: DispatchOptions): Promise<DispatchResult[]>;
  /** Cuts every batch in flight now; later batches are unaffected. */
  abortAll(): void;
  /**
   * Cuts this one attempt wherever it is in flight (a task cancelled while running, spec 11.6): it
   * resolves as 'aborted' like an abort's, and the rest of its batch runs on. Unknown: nothing.
   */
  cancel(taskId: string, attempt: number): void;
  /** Aborts what is still in flight (those batches resolve as 'aborted'), then stops the threads. */
  destroy(): Promise<void>;
}

export function createDispatchPool(options: DispatchPoolOptions = {}): DispatchPool {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 0) {
    throw new DispatchrError('invalid_argument', `threads must be a whole number >= 0, got ${threads}`);
  }
  const workerData: DispatchWorkerData = { connectionsPerOrigin: options.connectionsPerOrigin };
  return threads === 0
    ? createLazyInlinePool(workerData)
    : createThreadPool(threads, options.concurrentTasksPerWorker ?? 16, workerData);
}

function createThreadPool(
  threads: number,
  concurrentTasksPerWorker: number,
  workerData: DispatchWorkerData,
): DispatchPool {
  const fromSource = import.meta.url.endsWith('.ts');
  const piscina = new Piscina<DispatchBatch, PackedResults>({
    filename: new URL('./dispatch.worker.' + (fromSource ? 'ts' : 'js'), import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker,
    workerData,
    // 'sync' atomics freeze an idle worker's event loop: keep-alive sockets, deadline timers and
    // abort ports would stall between batches. The batch hop is rare enough not to need them.
    atomics: 'disabled',
    closeTimeout: 10_000,
    // Under vitest the worker has no TypeScript loader unless we pass tsx explicitly.
    ...(fromSource ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
  });
  const inFlight = new Set<MessagePort>();
  let destroyed = false;

  const abortAll = (): void => {
    for (const port of inFlight) port.postMessage(ABORT_BATCH);
  };

  return {
    threads,
    abortAll,
    // To every batch in flight: a batch without the attempt ignores it. Rare (an operator's
    // cancel), so the hot path keeps no index of which batch holds which task.
    cancel(taskId, attempt) {
      const message: CancelAttempt = { cancel: { taskId, attempt } };
      for (const port of inFlight) port.postMessage(message);
    },
    async dispatch(requests, { signal } = {}) {
      if (destroyed) throw new DispatchrError('pool_destroyed', 'the dispatch pool was destroyed');
      if (requests.length === 0) return [];
      if (signal?.aborted) return requests.map(abortedResult);
      const { port1, port2 } = new MessageChannel();
      const onAbort = (): void => port1.postMessage(ABORT_BATCH);
      inFlight.add(port1);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const packed = await piscina.run(
          { requests: packRequests(requests), abortPort: port2 },
          { transferList: [port2] },
        );
        return unpackResults(packed, requests);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        inFlight.delete(port1);
        port1.close();
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      abortAll();
      await piscina.close();
    },
  };
}

/**
 * The inline pool's module (undici, the target guard) is imported on its first use: the threaded
 * pool, the default, sends from its worker thread, and the main thread need not load undici for it
 * (about a tenth of a second of a scheduler's start-up).
 */
function createLazyInlinePool(workerData: DispatchWorkerData): DispatchPool {
  let pool: DispatchPool | undefined;
  const loading = import('./inline-pool.js').then(({ createInlinePool }) => (pool = createInlinePool(workerData)));
  loading.catch(() => undefined); // a failed import rejects each dispatch, never the process
  // Dispatches waiting for the module, and cancels heard meanwhile: an abort or a cancel before the
  // load must still cut those requests (they would otherwise be sent once it ends).
  const waiting = new Set<AbortController>();
  const cancelled = new Set<string>();
  return {
    threads: 0,
    abortAll: () => {
      for (const controller of waiting) controller.abort();
      pool?.abortAll();
    },
    cancel: (taskId, attempt) => {
      if (pool) pool.cancel(taskId, attempt);
      else cancelled.add(`${attempt}:${taskId}`);
    },
    async dispatch(requests, options = {}) {
      if (pool) return pool.dispatch(requests, options);
      const controller = new AbortController();
      waiting.add(controller);
      try {
        const loaded = await loading;
        const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
        const done = loaded.dispatch(requests, { signal });
        // The batch has started (synchronously): cancels heard during the load reach it now.
        for (const request of requests)
          if (cancelled.has(`${request.attempt}:${request.taskId}`)) loaded.cancel(request.taskId, request.attempt);
        return await done;
      } finally {
        waiting.delete(controller);
      }
    },
    destroy: async () => {
      for (const controller of waiting) controller.abort();
      await (pool ?? (await loading)).destroy();
    },
  };
}

export function abortedResult(request: DispatchRequest): DispatchResult {
  return unsentResult(request, 'aborted', 'aborted before sending');
}
