/**
 * Error mapping for an attempt that got no status: a thrown send error becomes an errorKind and a
 * short message, as data (protocol.ts lists the kinds).
 */
import { isDispatchrError } from '../errors.js';
import type { DispatchErrorKind, DispatchResult } from './protocol.js';
import { GUARD_REFUSED_CODE } from './target-guard.js';

/** What an attempt ended with, before the batch stamps it with its task, attempt and times. */
export type Outcome = Pick<
  DispatchResult,
  'status' | 'retryAfterMs' | 'errorKind' | 'error' | 'responseExcerpt' | 'responseBody' | 'responseContentType'
>;

/** An attempt that got no status: why, as an errorKind and a short message. */
export function failure(errorKind: DispatchErrorKind, error: string): Outcome {
  return { status: null, retryAfterMs: null, errorKind, error, responseExcerpt: null };
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_NOT_YET_VALID',
]);

/** Maps a thrown send error to an errorKind and a short message (no headers, no body, no secrets). */
export function describeSendError(error: unknown): Outcome {
  if (isDispatchrError(error, GUARD_REFUSED_CODE)) return failure('guard-refused', error.message);
  const code = findCode(error);
  const message = shortMessage(error, code);
  if (code && TIMEOUT_CODES.has(code)) return failure('timeout', message);
  if (code === 'ECONNREFUSED') return failure('connection-refused', message);
  if ((code && RESET_CODES.has(code)) || /other side closed/i.test(message))
    return failure('connection-reset', message);
  if (code && DNS_CODES.has(code)) return failure('dns', message);
  if (code && (TLS_CODES.has(code) || /^ERR_(TLS|SSL)_/.test(code) || code.startsWith('ERR_SSL'))) {
    return failure('tls', message);
  }
  if (code === 'UND_ERR_ABORTED' || (error as { name?: unknown })?.name === 'AbortError')
    return failure('aborted', message);
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
