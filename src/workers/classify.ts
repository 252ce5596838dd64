import { STATUS_CODES } from 'node:http';
import type { DispatchResult } from './protocol.js';

/**
 * Turns one attempt's result into what becomes of the task: completed, retried or failed (the
 * scheduler's decideOutcome, scheduler/outcome.ts, turns that into the settlement). Pure: no clock, no I/O.
 *
 * Default table:
 *   2xx → completed
 *   429, 503 → retry, honouring Retry-After
 *   408, other 5xx → retry (Retry-After ignored: the strategy's backoff applies)
 *   1xx, 3xx (redirects are never followed), other 4xx → failed
 *   no status: guard-refused → failed (retrying cannot make a refused target allowed);
 *              timeout / connection-* / dns / tls / network / aborted → retry
 *
 * `statusMap` overrides by exact code ("409") or by class ("4xx"); exact beats class beats default.
 * Retry-After is passed through for 429/503 under the default table, and for ANY status a
 * statusMap entry maps to 'retry': an operator who opted a code into retrying wants the server's
 * advice honoured when it gives some. It is never passed for completed/failed outcomes.
 */
export type DispatchOutcome = 'completed' | 'retry' | 'failed';
export type StatusMap = Readonly<Record<string, DispatchOutcome>>;

export interface Classification {
  outcome: DispatchOutcome;
  retryAfterMs: number | null;
  /** For people: `HTTP 503 Service Unavailable`, with the statusMap entry that decided, if any. */
  reason: string;
}

export type ClassifiableResult = Pick<DispatchResult, 'status' | 'errorKind' | 'retryAfterMs'>;

export function classifyResult(result: ClassifiableResult, statusMap?: StatusMap): Classification {
  const { status } = result;
  if (status === null) return classifyError(result);

  const override = lookupStatusMap(status, statusMap);
  if (override) {
    return {
      outcome: override.outcome,
      retryAfterMs: override.outcome === 'retry' ? result.retryAfterMs : null,
      reason: `${statusText(status)} (statusMap "${override.key}")`,
    };
  }
  return classifyStatus(status, result.retryAfterMs);
}

function classifyError(result: ClassifiableResult): Classification {
  if (result.errorKind === 'guard-refused') {
    return { outcome: 'failed', retryAfterMs: null, reason: 'guard-refused' };
  }
  // A missing errorKind with no status breaks the protocol invariant; retrying is the safe reading.
  return { outcome: 'retry', retryAfterMs: null, reason: result.errorKind ?? 'no response' };
}

/** `HTTP 503 Service Unavailable`; a code without a standard reason phrase is just `HTTP 599`. */
export function statusText(status: number): string {
  const phrase = STATUS_CODES[status];
  return phrase ? `HTTP ${status} ${phrase}` : `HTTP ${status}`;
}

function classifyStatus(status: number, retryAfterMs: number | null): Classification {
  const reason = statusText(status);
  if (status >= 200 && status < 300) return { outcome: 'completed', retryAfterMs: null, reason };
  if (status === 429 || status === 503) return { outcome: 'retry', retryAfterMs, reason };
  if (status === 408 || (status >= 500 && status < 600)) return { outcome: 'retry', retryAfterMs: null, reason };
  return { outcome: 'failed', retryAfterMs: null, reason };
}

function lookupStatusMap(
  status: number,
  statusMap: StatusMap | undefined,
): { key: string; outcome: DispatchOutcome } | null {
  if (!statusMap) return null;
  const exact = String(status);
  if (Object.hasOwn(statusMap, exact)) return { key: exact, outcome: statusMap[exact] };
  // Class keys are matched case-insensitively ("4xx" or "4XX").
  const digit = String(Math.floor(status / 100));
  for (const key of [`${digit}xx`, `${digit}XX`]) {
    if (Object.hasOwn(statusMap, key)) return { key, outcome: statusMap[key] };
  }
  return null;
}
