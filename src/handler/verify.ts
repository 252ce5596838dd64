import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseSigningSecret } from '../signing-secret.js';
import { DispatchrSignatureError } from './errors.js';

/**
 * Checks that a request is a dispatch from Dispatchr (Standard Webhooks, as the scheduler signs):
 * `webhook-signature` holds one or more `v1,<base64 HMAC-SHA256>` (space-separated during secret
 * rotation) of `{webhook-id}.{webhook-timestamp}.{raw body}`, and the timestamp is within
 * `toleranceSeconds` of now in either direction, which bounds how long a captured request could be
 * replayed. Secrets: `whsec_<base64>`, the key being the decoded bytes (src/signing-secret.ts).
 *
 * What the signature covers: the task id (`webhook-id`, also `Dispatchr-Task-Id`), the timestamp
 * and the body. `Dispatchr-Queue`, `-Attempt`, `-Scheduled-At` and `-Previous-Status` are not
 * signed (Standard Webhooks signs no other header): they describe the delivery, and a replay within
 * the tolerance could alter them. Deduplicate on `taskId`, which is the same on every attempt.
 */
export interface VerifiedDispatch {
  /** The task's id: stable across attempts, signed. */
  taskId: string;
  queue: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** When this attempt was due. */
  scheduledAt: Date;
  /** The status the previous attempt got, when it got one. */
  previousStatus: number | null;
  /** The cron entry whose fire created the task (Dispatchr-Cron); null for other tasks. */
  cron: string | null;
  /** That fire time (Dispatchr-Cron-Fire-Time): the same on every attempt, where scheduledAt moves. */
  cronFireAt: Date | null;
}

export interface VerifyOptions {
  /** Largest distance between the request's timestamp and now (default 300: five minutes). */
  toleranceSeconds?: number;
  /** The instant to check against (default now): a Date or epoch milliseconds. */
  now?: Date | number;
}

/** Node's `req.headers`, a fetch `Headers`, or any object of header names (any case) to values. */
export type HeadersInput = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

export type Secrets = string | readonly string[];

const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Decodes the secrets once; throws a TypeError (a setup mistake, not a bad request) unless each one
 * is `whsec_` + canonical base64 of 24-64 bytes, the one form the scheduler accepts and every
 * Standard Webhooks library reads alike. Unset entries of a list (`[NEW, OLD]` after OLD's variable
 * is removed) are skipped; at least one secret must remain. Messages never show a secret.
 */
export function decodeSecrets(secret: Secrets): Buffer[] {
  const given: unknown[] = Array.isArray(secret) ? [...(secret as unknown[])] : [secret];
  const list = given.filter((item) => item !== undefined && item !== null && item !== '');
  if (list.length === 0)
    throw new TypeError(`a Dispatchr signing secret is required (the queue's signingSecret), got none`);
  return list.map((item, index) => {
    const parsed = parseSigningSecret(item);
    if (parsed.ok) return parsed.key;
    const which =
      list.length === 1 ? 'the Dispatchr signing secret' : `Dispatchr signing secret ${index + 1} of ${list.length}`;
    throw new TypeError(`${which}: ${parsed.message}`);
  });
}

/** Returns what the request says about the task, or throws DispatchrSignatureError. */
export function verify(
  rawBody: string | Uint8Array,
  headers: HeadersInput,
  secret: Secrets,
  options: VerifyOptions = {},
): VerifiedDispatch {
  return verifyWithKeys(rawBody, headers, decodeSecrets(secret), options);
}

/** The signature headers, checked for shape and age: everything that can be judged without the body. */
export interface SignedHeaders {
  id: string;
  timestamp: string;
  /** The `v1,` signatures, as bytes of their base64 text. */
  signatures: Buffer[];
}

/**
 * Checks what the headers alone can tell (presence, timestamp window, a `v1` signature), so a
 * receiver refuses an unsigned or stale request before reading its body. Throws
 * DispatchrSignatureError; verifyWithKeys repeats it, so calling it first is only an early exit.
 */
export function checkSignedHeaders(headers: HeadersInput, options: VerifyOptions = {}): SignedHeaders {
  const id = required(headers, 'webhook-id');
  const timestamp = required(headers, 'webhook-timestamp');
  const signatureHeader = required(headers, 'webhook-signature');

  if (!/^\d{1,12}$/.test(timestamp))
    throw new DispatchrSignatureError('invalid_timestamp', 'webhook-timestamp must be whole seconds since the epoch');
  const nowSeconds = Math.floor((options.now === undefined ? Date.now() : Number(options.now)) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const age = nowSeconds - Number(timestamp);
  if (age > tolerance)
    throw new DispatchrSignatureError('timestamp_too_old', `webhook-timestamp is more than ${tolerance} s old`);
  if (-age > tolerance)
    throw new DispatchrSignatureError('timestamp_in_future', `webhook-timestamp is more than ${tolerance} s ahead`);

  const signatures = signatureHeader
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3)));
  if (signatures.length === 0)
    throw new DispatchrSignatureError('invalid_signature', 'webhook-signature holds no v1 signature');
  return { id, timestamp, signatures };
}

/** verify() with the secrets decoded once (the middleware decodes them when it is created). */
export function verifyWithKeys(
  rawBody: string | Uint8Array,
  headers: HeadersInput,
  keys: readonly Buffer[],
  options: VerifyOptions = {},
): VerifiedDispatch {
  const { id, timestamp, signatures } = checkSignedHeaders(headers, options);
  const matched = keys.some((key) => {
    const hmac = createHmac('sha256', key).update(`${id}.${timestamp}.`);
    hmac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
    const expected = Buffer.from(hmac.digest('base64'));
    // Lengths are public (every v1 signature is 44 characters); the bytes are compared in constant time.
    return signatures.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
  if (!matched)
    throw new DispatchrSignatureError(
      'invalid_signature',
      'webhook-signature does not match the body with any configured secret',
    );

  return readDispatchHeaders(headers, id);
}

/** An RFC 3339 date-time (Date alone would also take "2026" or "June 1"). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** The delivery headers, checked for shape once the signature has passed. */
function readDispatchHeaders(headers: HeadersInput, id: string): VerifiedDispatch {
  const taskId = required(headers, 'dispatchr-task-id');
  if (taskId !== id)
    throw new DispatchrSignatureError('invalid_header', 'dispatchr-task-id differs from the signed webhook-id');
  const queue = required(headers, 'dispatchr-queue');
  const attemptText = required(headers, 'dispatchr-attempt');
  const attempt = Number(attemptText);
  if (!/^\d{1,9}$/.test(attemptText) || attempt < 1)
    throw new DispatchrSignatureError('invalid_header', 'dispatchr-attempt must be a positive integer');
  const scheduledAt = new Date(required(headers, 'dispatchr-scheduled-at'));
  if (Number.isNaN(scheduledAt.getTime()))
    throw new DispatchrSignatureError('invalid_header', 'dispatchr-scheduled-at must be an RFC 3339 time');
  const previous = header(headers, 'dispatchr-previous-status');
  if (previous !== undefined && !/^\d{3}$/.test(previous))
    throw new DispatchrSignatureError('invalid_header', 'dispatchr-previous-status must be an HTTP status');
  const cron = header(headers, 'dispatchr-cron') ?? null;
  const fireTime = header(headers, 'dispatchr-cron-fire-time');
  const cronFireAt = fireTime === undefined || !RFC3339.test(fireTime) ? null : new Date(fireTime);
  if (fireTime !== undefined && (cronFireAt === null || Number.isNaN(cronFireAt.getTime())))
    throw new DispatchrSignatureError('invalid_header', 'dispatchr-cron-fire-time must be an RFC 3339 time');
  return {
    taskId,
    queue,
    attempt,
    scheduledAt,
    previousStatus: previous === undefined ? null : Number(previous),
    cron,
    cronFireAt,
  };
}

function required(headers: HeadersInput, name: string): string {
  const value = header(headers, name);
  if (value === undefined || value === '')
    throw new DispatchrSignatureError('missing_header', `the ${name} header is missing`);
  return value;
}

/** One header's value by lowercase name. A header sent twice (an array) is refused as ambiguous. */
export function header(headers: HeadersInput, name: string): string | undefined {
  if (typeof headers.get === 'function')
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  if (Array.isArray(value))
    throw new DispatchrSignatureError('invalid_header', `the ${name} header was sent more than once`);
  return value;
}
