import type { Dispatcher } from 'undici';
import { isDispatchrError } from '../errors.js';
import { reservedHeaderProblem } from '../rules/task-headers.js';
import { gateFor } from './origin-gate.js';
import { RESPONSE_EXCERPT_BYTES, type DispatchErrorKind, type DispatchRequest, type DispatchResult } from './protocol.js';
import { parseRetryAfter } from './retry-after.js';
import { signPayload } from './signing.js';
import { checkTargetUrl, createGuardedAgent, GUARD_REFUSED_CODE, type GuardedAgentOptions } from './target-guard.js';

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

/**
 * After the 1 KB excerpt, keep reading (and discarding) up to this many bytes so a small
 * response finishes cleanly and its keep-alive connection is reused; beyond it, destroy the
 * body (undici then drops that connection) instead of downloading a large body.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** undici's own default. More per worker thread grew the scheduler's RSS by up to 100 MB. */
const DEFAULT_CONNECTIONS_PER_ORIGIN = 64;
/** Deadlines are grouped under one timer per this many ms: a batch's attempts that start
 *  together share one. */
const DEADLINE_TICK_MS = 5;

export function buildDispatchHeaders(request: DispatchRequest, timestampSeconds: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    // The create-time rule again (hop-by-hop, framing, routing overrides, Dispatchr-* and webhook-*,
    // in either `-` or `_` spelling): a task stored before a rule existed cannot send it either.
    if (reservedHeaderProblem(lower) !== null) continue;
    headers[lower] = value;
  }
  headers['dispatchr-task-id'] = request.taskId;
  headers['dispatchr-queue'] = request.queue;
  headers['dispatchr-attempt'] = String(request.attempt);
  headers['dispatchr-scheduled-at'] = request.scheduledAt;
  if (request.previousStatus !== null) headers['dispatchr-previous-status'] = String(request.previousStatus);
  if (request.traceparent !== null) headers.traceparent = request.traceparent;
  if (request.contentType !== null) headers['content-type'] = request.contentType;
  // webhook-id is the task id, identical on every attempt, so receivers can deduplicate.
  headers['webhook-id'] = request.taskId;
  headers['webhook-timestamp'] = String(timestampSeconds);
  if (request.signingSecrets.length > 0) {
    const signature = signPayload(request.taskId, timestampSeconds, request.body, request.signingSecrets);
    if (signature !== '') headers['webhook-signature'] = signature;
  }
  return headers;
}

type Outcome = Pick<DispatchResult, 'status' | 'retryAfterMs' | 'errorKind' | 'error' | 'responseExcerpt'>;
type SendAgents = Pick<DispatchAgents, 'strict' | 'privateAllowed'> & Partial<Pick<DispatchAgents, 'connectionsPerOrigin'>>;

/**
 * `signal` lets the caller cut the attempt (errorKind 'aborted'). A shared signal gets one
 * listener per call: raise its limit with events.setMaxListeners.
 */
export async function sendRequest(request: DispatchRequest, agents: SendAgents, signal?: AbortSignal): Promise<DispatchResult> {
  return (await sendBatch([request], agents, signal))[0];
}

/**
 * Sends a batch concurrently; results come back in request order and the batch never rejects.
 * The batch shares what per-request code would repeat: one abort listener on `signal`, deadline
 * timers grouped by when they fire, one start time for the attempts that start at once.
 */
export function sendBatch(requests: readonly DispatchRequest[], agents: SendAgents, signal?: AbortSignal): Promise<DispatchResult[]> {
  const batch = new Batch(requests);
  if (signal?.aborted) batch.aborted = true;
  else signal?.addEventListener('abort', batch.onAbort, { once: true });
  for (let i = 0; i < requests.length; i++) enterAttempt(batch, i, requests[i], agents);
  return batch.done.then((results) => {
    signal?.removeEventListener('abort', batch.onAbort);
    return results;
  });
}

/** When an attempt was handed to undici (or settled without it). */
interface Start {
  /** performance.now(), for durations and deadlines. */
  ms: number;
  /** Epoch milliseconds, for the record. */
  epochMs: number;
  /** For webhook-timestamp: an attempt that waited is stamped when it is sent. */
  seconds: number;
}

function startAt(ms: number): Start {
  const epochMs = Date.now();
  return { ms, epochMs, seconds: Math.floor(epochMs / 1000) };
}

/** One batch in flight: its live attempts, its waiting ones, its deadline timers and its results. */
class Batch {
  readonly results: DispatchResult[];
  readonly start: Start = startAt(performance.now());
  readonly done: Promise<DispatchResult[]>;
  aborted = false;
  /** 1 for attempts waiting at their origin's gate: an abort settles them at once. */
  readonly waiting: Uint8Array;
  private resolve!: (results: DispatchResult[]) => void;
  private left: number;
  /** Live attempts per deadline tick, each group under one timer. */
  private readonly deadlines = new Map<number, { timer: NodeJS.Timeout; live: Set<ResponseCollector> }>();

  constructor(private readonly requests: readonly DispatchRequest[]) {
    const size = requests.length;
    this.results = new Array(size);
    this.waiting = new Uint8Array(size);
    this.left = size;
    this.done = new Promise((resolve) => (this.resolve = resolve));
    if (size === 0) this.resolve(this.results);
  }

  readonly onAbort = (): void => {
    this.aborted = true;
    for (const { live } of this.deadlines.values()) for (const collector of [...live]) collector.cut('aborted');
    for (let i = 0; i < this.waiting.length; i++) {
      if (this.waiting[i] === 0) continue;
      this.waiting[i] = 0;
      this.settle(i, failure('aborted', 'aborted before sending'), this.startNow(), null, 0);
    }
  };

  /** The start of an attempt handed over now: the batch's own if nothing waited. */
  startNow(): Start {
    const ms = performance.now();
    return ms - this.start.ms < 1 ? this.start : startAt(ms);
  }

  /**
   * Our own deadline, not undici's: undici's timers only act once the request is on a socket.
   * Returns the group key the attempt must be settled with.
   */
  watch(collector: ResponseCollector, startMs: number, timeoutMs: number): number {
    const key = Math.ceil((startMs + timeoutMs) / DEADLINE_TICK_MS);
    let group = this.deadlines.get(key);
    if (!group) {
      const live = new Set<ResponseCollector>();
      const timer = setTimeout(() => {
        for (const c of [...live]) c.cut('timeout');
      }, Math.max(0, key * DEADLINE_TICK_MS - performance.now()));
      group = { timer, live };
      this.deadlines.set(key, group);
    }
    group.live.add(collector);
    return key;
  }

  settle(index: number, outcome: Outcome, start: Start, collector: ResponseCollector | null, deadline: number): void {
    if (collector) {
      const group = this.deadlines.get(deadline);
      if (group) {
        group.live.delete(collector);
        if (group.live.size === 0) {
          clearTimeout(group.timer);
          this.deadlines.delete(deadline);
        }
      }
    }
    const request = this.requests[index];
    this.results[index] = {
      taskId: request.taskId,
      attempt: request.attempt,
      status: outcome.status,
      retryAfterMs: outcome.retryAfterMs,
      errorKind: outcome.errorKind,
      error: outcome.error,
      responseExcerpt: outcome.responseExcerpt,
      durationMs: collector ? Math.round(performance.now() - start.ms) : 0,
      startedAtMs: start.epochMs,
      finishedAtMs: collector ? Date.now() : start.epochMs,
    };
    if (--this.left === 0) this.resolve(this.results);
  }
}

/** Parsed target URLs and their pre-connect guard decision, per (URL, allowPrivateNetwork). */
type Target = { ok: true; origin: string; path: string } | { ok: false; outcome: Outcome };
const targets = new Map<string, Target>();
const TARGET_CACHE_SIZE = 1024;

function targetOf(rawUrl: string, allowPrivateNetwork: boolean): Target {
  const key = (allowPrivateNetwork ? '1' : '0') + rawUrl;
  let target = targets.get(key);
  if (target) return target;
  let url: URL;
  try {
    url = new URL(rawUrl);
    const decision = checkTargetUrl(url, allowPrivateNetwork);
    target = decision.allowed
      ? { ok: true, origin: url.origin, path: url.pathname + url.search }
      : { ok: false, outcome: failure('guard-refused', `target refused: ${decision.reason}`) };
  } catch {
    target = { ok: false, outcome: failure('network', 'invalid URL') };
  }
  if (targets.size >= TARGET_CACHE_SIZE) targets.clear();
  targets.set(key, target);
  return target;
}

/**
 * Queues the attempt at its origin's gate (origin-gate.ts), or settles it at once when it cannot
 * be sent at all (aborted batch, refused target). Its deadline starts when the gate lets it through.
 */
function enterAttempt(batch: Batch, index: number, request: DispatchRequest, agents: SendAgents): void {
  if (batch.aborted) return batch.settle(index, failure('aborted', 'aborted before sending'), batch.startNow(), null, 0);
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
  const handler = new ResponseCollector(timeoutMs, (outcome) => {
    batch.settle(index, outcome, begin, handler, deadline);
    release();
  });
  deadline = batch.watch(handler, begin.ms, timeoutMs);
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

/**
 * An undici dispatch handler that keeps the status, Retry-After and the first 1 KB of the body,
 * without a body stream. Settles exactly once; later callbacks (after a cut) are ignored.
 */
class ResponseCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private pendingAbort: Error | null = null;
  private status = 0;
  private retryAfter: string | string[] | undefined;
  private kept: Buffer[] | null = null;
  private keptBytes = 0;
  private seenBytes = 0;
  private settled = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly settle: (outcome: Outcome) => void,
  ) {}

  /** Deadline or caller abort. A status already received stays the answer (see protocol.ts). */
  cut(why: 'timeout' | 'aborted'): void {
    if (this.status >= 200) this.finish();
    else if (why === 'timeout') this.fail(failure('timeout', `no response within ${this.timeoutMs}ms`));
    else this.fail(failure('aborted', 'aborted by the scheduler'));
    this.abort(new Error(`attempt cut: ${why}`));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Cut while still connecting or queued: drop it before a byte is written.
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.retryAfter = headers['retry-after'];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.seenBytes += chunk.length;
    if (this.keptBytes < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - this.keptBytes);
      (this.kept ??= []).push(part);
      this.keptBytes += part.length;
    }
    if (this.seenBytes >= DRAIN_LIMIT_BYTES) {
      this.finish();
      this.abort(new Error('response excerpt complete'));
    }
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.status >= 200) this.finish(); // reset mid-body: the status line already answered
    else this.fail(describeSendError(error));
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.settle({
      status: this.status,
      retryAfterMs: this.retryAfter === undefined ? null : parseRetryAfter(this.retryAfter),
      errorKind: null,
      error: null,
      responseExcerpt: this.kept === null ? '' : utf8Excerpt(this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept, this.keptBytes)),
    });
  }

  private fail(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(outcome);
  }

  private abort(reason: Error): void {
    if (this.controller) {
      if (!this.controller.aborted) this.controller.abort(reason);
    } else {
      this.pendingAbort = reason;
    }
  }
}

/**
 * UTF-8 text of the kept bytes. `stream: true` holds back (and so drops) a multi-byte character
 * cut at the 1 KB edge; the empty flush after it resets the shared decoder for the next response
 * (one decoder per thread instead of one per response). NUL becomes U+FFFD, as invalid bytes do:
 * PostgreSQL text cannot hold it, and an outcome that cannot be written would leave the task to
 * be sent again at every lease expiry although its target answered.
 */
const excerptDecoder = new TextDecoder('utf-8');
export function utf8Excerpt(bytes: Uint8Array): string {
  const decoded = excerptDecoder.decode(bytes, { stream: true });
  excerptDecoder.decode();
  const text = decoded.includes('\u0000') ? decoded.replaceAll('\u0000', '\uFFFD') : decoded;
  return fitUtf8(text, RESPONSE_EXCERPT_BYTES);
}

/**
 * `text` cut at a character boundary to at most `maxBytes` of UTF-8. Each invalid byte and NUL
 * became U+FFFD, three bytes where there was one, so 1 KB of binary could otherwise store as 3 KB.
 */
function fitUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

function failure(errorKind: DispatchErrorKind, error: string): Outcome {
  return { status: null, retryAfterMs: null, errorKind, error, responseExcerpt: null };
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_NOT_YET_VALID',
]);

/** Maps a thrown send error to an errorKind and a short message (no headers, no body, no secrets). */
export function describeSendError(error: unknown): Outcome {
  if (isDispatchrError(error, GUARD_REFUSED_CODE)) return failure('guard-refused', error.message);
  const code = findCode(error);
  const message = shortMessage(error, code);
  if (code && TIMEOUT_CODES.has(code)) return failure('timeout', message);
  if (code === 'ECONNREFUSED') return failure('connection-refused', message);
  if ((code && RESET_CODES.has(code)) || /other side closed/i.test(message)) return failure('connection-reset', message);
  if (code && DNS_CODES.has(code)) return failure('dns', message);
  if (code && (TLS_CODES.has(code) || /^ERR_(TLS|SSL)_/.test(code) || code.startsWith('ERR_SSL'))) {
    return failure('tls', message);
  }
  if (code === 'UND_ERR_ABORTED' || (error as { name?: unknown })?.name === 'AbortError') return failure('aborted', message);
  return failure('network', message);
}

/** The most specific error code: undici and net nest the system error in `cause` or `errors`. */
function findCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const candidate = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const nested =
    findCode(candidate.cause, depth + 1) ??
    (Array.isArray(candidate.errors) ? findCode(candidate.errors[0], depth + 1) : undefined);
  // Prefer a system code (ECONNRESET) over undici's generic wrapper (UND_ERR_SOCKET).
  if (nested && !nested.startsWith('UND_ERR_')) return nested;
  return typeof candidate.code === 'string' ? candidate.code : nested;
}

function shortMessage(error: unknown, code: string | undefined): string {
  const raw = error instanceof Error ? error.message : String(error);
  // URLs in messages may carry userinfo; drop it.
  const text = raw.replace(/\/\/[^/@\s]*@/g, '//').slice(0, 200);
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}
