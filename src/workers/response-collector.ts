import type { Dispatcher } from 'undici';
import { RESPONSE_EXCERPT_BYTES } from './protocol.js';
import { parseRetryAfter } from './retry-after.js';
import { describeSendError, failure, type Outcome } from './send-errors.js';

/**
 * After the 1 KB excerpt, keep reading (and discarding) up to this many bytes so a small
 * response finishes cleanly and its keep-alive connection is reused; beyond it, destroy the
 * body (undici then drops that connection) instead of downloading a large body.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/**
 * An undici dispatch handler that keeps the status, Retry-After and the first 1 KB of the body (and,
 * for a task that keeps its result, up to keepBytes and the content type), without a body stream. Settles exactly once; later callbacks (after a cut) are ignored.
 */
export class ResponseCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private pendingAbort: Error | null = null;
  private status = 0;
  private retryAfter: string | string[] | undefined;
  private kept: Buffer[] | null = null;
  private keptBytes = 0;
  private seenBytes = 0;
  private settled = false;
  private contentType: string | null = null;
  /** Bytes read before the rest is drained: the excerpt, or the stored result when it asks for more. */
  private readonly keepLimit: number;

  /** `keepBytes` > 0: the body's first keepBytes bytes and its content type come back too (the stored result). */
  constructor(
    private readonly timeoutMs: number,
    private readonly settle: (outcome: Outcome) => void,
    private readonly keepBytes = 0,
  ) {
    this.keepLimit = Math.max(RESPONSE_EXCERPT_BYTES, keepBytes);
  }

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

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    this.retryAfter = headers['retry-after'];
    if (this.keepBytes > 0) {
      const type = headers['content-type'];
      this.contentType = (Array.isArray(type) ? type[0] : type) ?? null;
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.seenBytes += chunk.length;
    if (this.keptBytes < this.keepLimit) {
      const part = chunk.subarray(0, this.keepLimit - this.keptBytes);
      (this.kept ??= []).push(part);
      this.keptBytes += part.length;
    }
    if (this.seenBytes >= DRAIN_LIMIT_BYTES && this.keptBytes >= this.keepLimit) {
      this.finish();
      this.abort(new Error('response excerpt complete'));
    }
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.status >= 200)
      this.finish(); // reset mid-body: the status line already answered
    else this.fail(describeSendError(error));
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const bytes =
      this.kept === null ? null : this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept, this.keptBytes);
    const outcome: Outcome = {
      status: this.status,
      retryAfterMs: this.retryAfter === undefined ? null : parseRetryAfter(this.retryAfter),
      errorKind: null,
      error: null,
      responseExcerpt: bytes === null ? '' : utf8Excerpt(bytes.subarray(0, RESPONSE_EXCERPT_BYTES)),
    };
    if (this.keepBytes > 0) {
      // A copy of its own: a view into undici's buffer would carry that whole buffer across threads.
      outcome.responseBody = bytes === null ? new Uint8Array(0) : new Uint8Array(bytes.subarray(0, this.keepBytes));
      outcome.responseContentType = this.contentType;
    }
    this.settle(outcome);
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
