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
 * listener per in-flight request: raise its limit with events.setMaxListeners.
 */
export async function sendRequest(request: DispatchRequest, agents: SendAgents, signal?: AbortSignal): Promise<DispatchResult> {
  const startedAt = new Date();
  const startedMs = performance.now();
  const outcome = await attempt(request, agents, signal);
  return {
    taskId: request.taskId,
    attempt: request.attempt,
    ...outcome,
    durationMs: Math.round(performance.now() - startedMs),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

function attempt(request: DispatchRequest, agents: SendAgents, signal: AbortSignal | undefined): Promise<Outcome> | Outcome {
  if (signal?.aborted) return failure('aborted', 'aborted before sending');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failure('network', 'invalid URL');
  }
  const decision = checkTargetUrl(url, request.allowPrivateNetwork);
  if (!decision.allowed) return failure('guard-refused', `target refused: ${decision.reason}`);

  const timeoutMs = Math.min(Math.max(1, Math.floor(request.timeoutMs) || 1), MAX_TIMER_MS);
  return new Promise<Outcome>((resolve) => {
    // Our own deadline, not undici's: undici's signal and timers only act once the request is on
    // a socket, so a slow connect (or a queue behind busy connections) would outlive timeoutMs.
    // The deadline settles the attempt at once; the handler then tells undici to drop the request.
    const onAbort = (): void => handler.cut('aborted');
    const timer = setTimeout(() => handler.cut('timeout'), timeoutMs);
    const handler = new ResponseCollector(timeoutMs, (outcome) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const dispatcher = request.allowPrivateNetwork ? agents.privateAllowed : agents.strict;
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method as Dispatcher.HttpMethod,
          headers: buildDispatchHeaders(request, Math.floor(Date.now() / 1000)),
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
  });
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
  private readonly kept: Buffer[] = [];
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
      this.kept.push(part);
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
    // stream: true holds back (and so drops) a multi-byte character cut at the 1 KB edge.
    const excerpt = new TextDecoder('utf-8').decode(Buffer.concat(this.kept, this.keptBytes), { stream: true });
    this.settle({
      status: this.status,
      retryAfterMs: parseRetryAfter(this.retryAfter),
      errorKind: null,
      error: null,
      responseExcerpt: excerpt,
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
