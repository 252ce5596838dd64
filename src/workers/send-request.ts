import type { Dispatcher } from 'undici';
import { isDispatchrError } from '../errors.js';
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
  close(): Promise<void>;
}

export function createDispatchAgents(options: Omit<GuardedAgentOptions, 'allowPrivateNetwork'> = {}): DispatchAgents {
  const strict = createGuardedAgent({ ...options, allowPrivateNetwork: false });
  const privateAllowed = createGuardedAgent({ ...options, allowPrivateNetwork: true });
  return {
    strict,
    privateAllowed,
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

/** Headers a task may not set: hop-by-hop and framing headers belong to the HTTP client, and the
 *  Dispatchr-* / webhook-* namespaces belong to Dispatchr (a task must not forge its signature). */
const RESERVED_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer',
  'upgrade', 'expect', 'content-length',
]);

export function buildDispatchHeaders(request: DispatchRequest, timestampSeconds: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('dispatchr-') || lower.startsWith('webhook-')) continue;
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
type SendAgents = Pick<DispatchAgents, 'strict' | 'privateAllowed'>;

/**
 * `signal` lets the caller cut the attempt (errorKind 'aborted'). A shared signal gets one
 * listener per call: raise its limit with events.setMaxListeners.
 */
export async function sendRequest(request: DispatchRequest, agents: SendAgents, signal?: AbortSignal): Promise<DispatchResult> {
  return (await sendBatch([request], agents, signal))[0];
}

/**
 * Sends a batch concurrently; results come back in request order and the batch never rejects.
 * The batch shares what per-request code would repeat: one abort listener on `signal`, one
 * deadline timer per distinct timeout (the requests all start now), one start time.
 */
export function sendBatch(requests: readonly DispatchRequest[], agents: SendAgents, signal?: AbortSignal): Promise<DispatchResult[]> {
  const batch = new Batch(requests.length);
  if (signal?.aborted) batch.aborted = true;
  else signal?.addEventListener('abort', batch.onAbort, { once: true });
  for (let i = 0; i < requests.length; i++) startAttempt(batch, i, requests[i], agents);
  return batch.done.then((results) => {
    signal?.removeEventListener('abort', batch.onAbort);
    return results;
  });
}

/** One batch in flight: its live attempts, its deadline timers and its results. */
class Batch {
  readonly results: DispatchResult[];
  readonly startedAt = new Date().toISOString();
  readonly startedMs = performance.now();
  readonly nowSeconds = Math.floor(Date.now() / 1000);
  readonly done: Promise<DispatchResult[]>;
  aborted = false;
  private resolve!: (results: DispatchResult[]) => void;
  private left: number;
  /** Live attempts per timeout value, each group under one timer. */
  private readonly deadlines = new Map<number, { timer: NodeJS.Timeout; live: Set<ResponseCollector> }>();

  constructor(size: number) {
    this.results = new Array(size);
    this.left = size;
    this.done = new Promise((resolve) => (this.resolve = resolve));
    if (size === 0) this.resolve(this.results);
  }

  readonly onAbort = (): void => {
    this.aborted = true;
    for (const { live } of this.deadlines.values()) for (const collector of [...live]) collector.cut('aborted');
  };

  /** Our own deadline, not undici's: undici's timers only act once the request is on a socket. */
  watch(collector: ResponseCollector, timeoutMs: number): void {
    let group = this.deadlines.get(timeoutMs);
    if (!group) {
      const live = new Set<ResponseCollector>();
      const timer = setTimeout(() => {
        for (const c of [...live]) c.cut('timeout');
      }, timeoutMs);
      group = { timer, live };
      this.deadlines.set(timeoutMs, group);
    }
    group.live.add(collector);
  }

  settle(index: number, request: DispatchRequest, outcome: Outcome, collector: ResponseCollector | null, timeoutMs: number): void {
    if (collector) {
      const group = this.deadlines.get(timeoutMs);
      if (group) {
        group.live.delete(collector);
        if (group.live.size === 0) {
          clearTimeout(group.timer);
          this.deadlines.delete(timeoutMs);
        }
      }
    }
    this.results[index] = {
      taskId: request.taskId,
      attempt: request.attempt,
      status: outcome.status,
      retryAfterMs: outcome.retryAfterMs,
      errorKind: outcome.errorKind,
      error: outcome.error,
      responseExcerpt: outcome.responseExcerpt,
      durationMs: Math.round(performance.now() - this.startedMs),
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
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

function startAttempt(batch: Batch, index: number, request: DispatchRequest, agents: SendAgents): void {
  if (batch.aborted) return batch.settle(index, request, failure('aborted', 'aborted before sending'), null, 0);
  const target = targetOf(request.url, request.allowPrivateNetwork);
  if (!target.ok) return batch.settle(index, request, target.outcome, null, 0);
  const timeoutMs = Math.min(Math.max(1, Math.floor(request.timeoutMs) || 1), MAX_TIMER_MS);
  // The deadline settles the attempt at once; the handler then tells undici to drop the request.
  const handler = new ResponseCollector(timeoutMs, (outcome) => batch.settle(index, request, outcome, handler, timeoutMs));
  batch.watch(handler, timeoutMs);
  try {
    const dispatcher = request.allowPrivateNetwork ? agents.privateAllowed : agents.strict;
    dispatcher.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: buildDispatchHeaders(request, batch.nowSeconds),
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
  const text = excerptDecoder.decode(bytes, { stream: true });
  excerptDecoder.decode();
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
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
