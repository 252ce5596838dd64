import { TASK_STATES } from '../task.js';
import { QUEUE_NAME, TASK_METHODS, hasNoBody } from '../rules/task-fields.js';
import { MAX_HEADER_VALUE, MAX_HEADERS } from '../rules/task-headers.js';

/**
 * The validation rules that z.toJSONSchema cannot see (they live in refine, superRefine and
 * transform callbacks, or in the router), written as JSON Schema 2020-12 fragments. The request
 * schemas attach them with `.meta()` and openapi.ts uses them for path and header parameters, so
 * spec/openapi.json says what the recorder enforces. JSON Schema patterns take no flags, so
 * case-insensitive rules spell both cases out; test/unit/recorder/openapi-committed.test.ts checks
 * the document against the zod schemas on real requests.
 */
type Json = Record<string, unknown>;

/** Every letter of `word` in both cases: JSON Schema patterns have no `i` flag. */
export function caseless(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}

export const QUEUE_NAME_PATTERN = QUEUE_NAME.source;
/** Task ids: the router lowercases the path's id before it checks it, so either case is accepted. */
export const UUID_ANY_CASE = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
/** An HTTP token (RFC 9110 5.6.2), what rules/task-headers.ts accepts as a header name. */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** Visible ASCII, tab and obs-text, as rules/task-headers.ts accepts a value. */
export const HEADER_VALUE_PATTERN = '^[\\t\\u0020-\\u007e\\u0080-\\u00ff]*$';
/** Idempotency-Key: 1 to 255 visible ASCII characters (recorder/idempotency.ts). */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\u0021-\\u007e]{1,255}$';
/** A page cursor is base64url of at most 200 characters (db/cursor.ts refuses anything else). */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]{1,200}$';
/**
 * The string form of an API duration (duration.ts, spec 12.2): ASCII digits, an optional fraction,
 * an optional unit, spaces and tabs only (`\s` and `\d` would also take Unicode spaces and digits
 * in some validators).
 */
export const DURATION_PATTERN = '^[ \\t]*[0-9]+(?:\\.[0-9]+)?[ \\t]*(?:ms|s|m|h|d)?[ \\t]*$';
/** application/json or application/*+json, any case, with parameters: what `body` may be sent as. */
export const JSON_MEDIA_TYPE_PATTERN = `^${caseless('application')}/(?:[A-Za-z0-9.+-]*\\+)?${caseless('json')}(?:\\s*;.*)?$`;

/** `state` in a query: one state or several, comma-separated (spaces around each allowed). */
export const STATE_LIST_PATTERN = (() => {
  const one = `\\s*(?:${TASK_STATES.join('|')})\\s*`;
  return `^${one}(?:,${one})*$`;
})();

/** A query integer from 1 to `max` as the routes check it: at most `digits` digits, leading zeros allowed. */
export function digitsPattern(max: 1000 | 1440 | 200): string {
  const ranges = {
    1000: '(?:[1-9][0-9]{0,2}|1000)',
    1440: '(?:[1-9][0-9]{0,2}|1[0-3][0-9]{2}|14[0-3][0-9]|1440)',
    200: '(?:[1-9][0-9]?|1[0-9]{2}|200)',
  } as const;
  const digits = String(max).length;
  return `^(?=[0-9]{1,${digits}}$)0*${ranges[max]}$`;
}

/** A time the API writes: RFC 3339, as toISOString gives it. */
export const dateTime: Json = { format: 'date-time' };
/**
 * A time the API reads (rules/rfc3339.ts): RFC 3339 with at most 9 fraction digits. The calendar
 * check (no February 30) is the format's; a pattern cannot count days.
 */
export const requestDateTime: Json = {
  format: 'date-time',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$',
};
export const uuid: Json = { format: 'uuid', pattern: UUID_ANY_CASE };

/**
 * A duration field of a create: a number of seconds, or a string with its unit (a bare number in a
 * string is seconds too). Bounds are in seconds and bind the number form; the string form's bounds
 * are in the field's description, since a pattern cannot compare magnitudes.
 */
export function durationSchema(bounds: { exclusiveMinimum?: 0; maximumMs?: number }): Json {
  const number: Json = { type: 'number' };
  if (bounds.exclusiveMinimum === 0) number.exclusiveMinimum = 0;
  else number.minimum = 0;
  if (bounds.maximumMs !== undefined) number.maximum = bounds.maximumMs / 1000;
  return { anyOf: [number, { type: 'string', pattern: DURATION_PATTERN }] };
}

/** A task's `headers` (and a cron entry's): names are HTTP tokens, at most 64, values at most 8,192 characters. */
export const headersSchema: Json = {
  type: 'object',
  maxProperties: MAX_HEADERS,
  propertyNames: { type: 'string', pattern: HEADER_NAME_PATTERN },
  additionalProperties: { type: 'string', maxLength: MAX_HEADER_VALUE, pattern: HEADER_VALUE_PATTERN },
};

const NO_BODY_METHODS = TASK_METHODS.filter(hasNoBody);

/**
 * The rules of a create that take two fields (task-input.schema.ts's superRefine): body XOR
 * bodyBase64, runAt XOR delay, a JSON content type with `body`, no body on GET or HEAD (a `null`
 * body is no body), and the key options that need a key (keyMaxWait also keyMode debounce).
 */
export const taskCrossFieldRules: Json = {
  allOf: [
    { not: { required: ['body', 'bodyBase64'] } },
    { not: { required: ['runAt', 'delay'] } },
    {
      if: { required: ['body', 'contentType'] },
      then: { properties: { contentType: { type: 'string', pattern: JSON_MEDIA_TYPE_PATTERN } } },
    },
    {
      if: { required: ['method'], properties: { method: { enum: NO_BODY_METHODS } } },
      then: { properties: { body: { type: 'null' } }, not: { required: ['bodyBase64'] } },
    },
    { dependentRequired: { keyMode: ['key'], keyMaxWait: ['key', 'keyMode'], keyRetention: ['key'] } },
    {
      if: { required: ['keyMaxWait'] },
      then: { properties: { keyMode: { const: 'debounce' } } },
    },
  ],
};

/** The body of a bulk retry or cancel: `state` unless `ids` names the tasks. */
export const bulkCrossFieldRules: Json = { anyOf: [{ required: ['state'] }, { required: ['ids'] }] };
