/**
 * The shapes a task's fields may take, for every door that writes tasks: the recorder's request
 * schema (recorder/schemas/task-input.schema.ts), `enqueueWithin()` (client/task-rules.ts) and the
 * queue names of the config. Dependency-free: the client imports it, and it must not drag any
 * server module into an application (test/unit/client/import-graph.test.ts).
 * Time and count limits live in task-limits.ts, header rules in task-headers.ts, path rules in
 * target-path.ts.
 */

/** The HTTP methods a task may be dispatched with; POST when a task names none. */
export const TASK_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'HEAD', 'OPTIONS'] as const;

/** Methods that cannot carry a body. */
export const hasNoBody = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** A queue name: a letter or digit, then letters, digits, "_", "." or "-"; 64 characters at most. */
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A de-duplication key is 1 to this many characters. */
export const MAX_KEY_LENGTH = 255;

/** The longest contentType accepted. */
export const MAX_CONTENT_TYPE_LENGTH = 255;

/** A media type with optional parameters ("text/plain; charset=utf-8"), per RFC 9110's token and quoted-string. */
export const MEDIA_TYPE =
  /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=("[^"\r\n]*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+))*$/;

/** application/json and application/*+json, with any parameters. */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i;
export const isJsonMediaType = (type: string): boolean => JSON_MEDIA_TYPE.test(type);

/** Standard base64 with padding (RFC 4648 §4), the only form `bodyBase64` accepts. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
