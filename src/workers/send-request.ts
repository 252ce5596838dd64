import type { Dispatcher } from 'undici';
import { Batch, type Start } from './attempt-batch.js';
import { buildDispatchHeaders } from './dispatch-headers.js';
import { gateFor } from './origin-gate.js';
import type { DispatchRequest, DispatchResult } from './protocol.js';
import { ResponseCollector } from './response-collector.js';
import { failure, type Outcome } from './send-errors.js';
import { checkTargetUrl, createGuardedAgent, type GuardedAgentOptions } from './target-guard.js';
import { UrlCache } from './url-cache.js';

/**
 * Sends one attempt with undici and returns its outcome as data; it never throws. Usable on any
 * thread: the piscina worker calls it per request, tests and a main-thread pool call it directly.
 * It uses undici's low-level `dispatch()` with a small handler rather than `request()`: no body
 * stream and no AbortSignal per request, which measured at the cost of a bare `request()` call,
 * and it lets our own deadline end an attempt that is still connecting.
 */

/** Two guarded Agents because allowPrivateNetwork differs per queue; both refuse metadata. */
export interface DispatchAgents {
  strict: Dispatcher;
  privateAllowed: Dispatcher;
  /** Each Agent's connections per origin: attempts beyond it wait for one (origin-gate.ts). */
  connectionsPerOrigin: number;
  close(): Promise<void>;
}

export function createDispatchAgents(options: Omit<GuardedAgentOptions, 'allowPrivateNetwork'> = {}): DispatchAgents {
  const connectionsPerOrigin = options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN;
  const strict = createGuardedAgent({ ...options, connectionsPerOrigin, allowPrivateNetwork: false });
  const privateAllowed = createGuardedAgent({ ...options, connectionsPerOrigin, allowPrivateNetwork: true });
  return {
    strict,
    privateAllowed,
    connectionsPerOrigin,
    close: async () => {
      await Promise.all([strict.close(), privateAllowed.close()]);
    },
  };
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** undici's own default. More per worker thread grew the scheduler's RSS by up to 100 MB. */
const DEFAULT_CONNECTIONS_PER_ORIGIN = 64;

type SendAgents = Pick<DispatchAgents, 'strict' | 'privateAllowed'> &
  Partial<Pick<DispatchAgents, 'connectionsPerOrigin'>>;

/**
 * `signal` lets the caller cut the attempt (errorKind 'aborted'). A shared signal gets one
 * listener per call: raise its limit with events.setMaxListeners.
 */
export async function sendRequest(
  request: DispatchRequest,
  agents: SendAgents,
  signal?: AbortSignal,
): Promise<DispatchResult> {
  return (await sendBatch([request], agents, signal))[0];
}

/**
 * Sends a batch concurrently; results come back in request order and the batch never rejects.
 * The batch shares what per-request code would repeat: one abort listener on `signal`, deadline
 * timers grouped by when they fire, one start time for the attempts that start at once.
 */
export function sendBatch(
  requests: readonly DispatchRequest[],
  agents: SendAgents,
  signal?: AbortSignal,
): Promise<DispatchResult[]> {
  return startBatch(requests, agents, signal).done;
}

/** sendBatch's batch itself: its `done` resolves the results, and `cancel` cuts one attempt (spec 11.6). */
export function startBatch(requests: readonly DispatchRequest[], agents: SendAgents, signal?: AbortSignal): Batch {
  const batch = new Batch(requests);
  if (signal?.aborted) batch.aborted = true;
  else signal?.addEventListener('abort', batch.onAbort, { once: true });
  for (let i = 0; i < requests.length; i++) enterAttempt(batch, i, requests[i], agents);
  void batch.done.then(() => signal?.removeEventListener('abort', batch.onAbort));
  return batch;
}

/** Parsed target URLs and their pre-connect guard decision, per (allowPrivateNetwork, URL). */
type Target = { ok: true; origin: string; path: string } | { ok: false; outcome: Outcome };
const targets = new UrlCache<Target>(parseAndGuard);
const PRIVATE_ALLOWED = '1';
const STRICT = '0';

function targetOf(rawUrl: string, allowPrivateNetwork: boolean): Target {
  return targets.get(allowPrivateNetwork ? PRIVATE_ALLOWED : STRICT, rawUrl);
}

function parseAndGuard(scope: string, rawUrl: string): Target {
  try {
    const url = new URL(rawUrl);
    const decision = checkTargetUrl(url, scope === PRIVATE_ALLOWED);
    return decision.allowed
      ? { ok: true, origin: url.origin, path: url.pathname + url.search }
      : { ok: false, outcome: failure('guard-refused', `target refused: ${decision.reason}`) };
  } catch {
    return { ok: false, outcome: failure('network', 'invalid URL') };
  }
}

/**
 * Queues the attempt at its origin's gate (origin-gate.ts), or settles it at once when it cannot
 * be sent at all (aborted batch, refused target). Its deadline starts when the gate lets it through.
 */
function enterAttempt(batch: Batch, index: number, request: DispatchRequest, agents: SendAgents): void {
  if (batch.aborted)
    return batch.settle(index, failure('aborted', 'aborted before sending'), batch.startNow(), null, 0);
  const target = targetOf(request.url, request.allowPrivateNetwork);
  if (!target.ok) return batch.settle(index, target.outcome, batch.startNow(), null, 0);
  const dispatcher = request.allowPrivateNetwork ? agents.privateAllowed : agents.strict;
  const gate = gateFor(dispatcher, target.origin, agents.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN);
  // Marked waiting until the gate lets it through (at once, or later): an abort meanwhile settles
  // it and clears the mark, and the attempt then passes its slot on.
  batch.waiting[index] = 1;
  const start = (): boolean => {
    if (batch.waiting[index] === 0) return false;
    batch.waiting[index] = 0;
    const begin = batch.startNow();
    // The whole timeout, never shortened: the caller's sendWithinMs already keeps it inside the lease.
    const timeoutMs = Math.min(Math.max(1, Math.floor(request.timeoutMs) || 1), MAX_TIMER_MS);
    const waitedMs = begin.ms - batch.start.ms;
    if (request.sendWithinMs !== undefined && waitedMs > request.sendWithinMs) {
      const why = `not sent: waited ${Math.round(waitedMs)} ms for a connection to its target, and its lease no longer covers its ${timeoutMs} ms timeout`;
      batch.settle(index, failure('aborted', why), begin, null, 0);
      return false;
    }
    sendAttempt(batch, index, request, dispatcher, target, begin, timeoutMs, () => queueMicrotask(() => gate.leave()));
    return true;
  };
  gate.enter(start);
}

/**
 * Hands one attempt to undici with its deadline running from `begin`. `release` frees the gate's
 * slot once the attempt has settled; it runs as a microtask, after undici has finished the
 * callback that settled it, so the next attempt finds the connection free.
 */
function sendAttempt(
  batch: Batch,
  index: number,
  request: DispatchRequest,
  dispatcher: Dispatcher,
  target: { origin: string; path: string },
  begin: Start,
  timeoutMs: number,
  release: () => void,
): void {
  let deadline = 0;
  // The deadline settles the attempt at once; the handler then tells undici to drop the request.
  const handler = new ResponseCollector(
    timeoutMs,
    (outcome) => {
      batch.settle(index, outcome, begin, handler, deadline);
      release();
    },
    request.keepBytes ?? 0,
  );
  deadline = batch.watch(handler, begin.ms, timeoutMs);
  batch.track(index, handler);
  try {
    dispatcher.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: buildDispatchHeaders(request, begin.seconds),
        body: request.body,
        // Off: our deadline governs. undici's 300 s defaults would cut longer task timeouts.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      handler,
    );
  } catch (error) {
    handler.onResponseError(null, error as Error);
  }
}
