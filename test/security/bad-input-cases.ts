/**
 * The bad-input corpus: requests every route of the recorder must refuse with a 4xx that names what
 * was wrong, changing nothing. This file has the case shape and the cases about the request as a
 * whole (auth, methods, routes, queue names, task ids, states, content types, Host, HTTP framing,
 * sizes); bad-input-values.ts has those about the values in bodies and query strings. Data only:
 * bad-input.test.ts sends each case to a real recorder on SQLite and PostgreSQL and checks the
 * answer and the database around it. The create body's field rules have their own list
 * (test/integration/recorder/bad-input.test.ts); this one covers every route, and the categories
 * that list does not.
 *
 * The recorder under test (bad-input.test.ts) has queues `emails` (default task limits), `reports`
 * (taskLimits: maxAttempts 5, timeout 10s) and `ops` (the claimed tasks), a 64 KiB body limit,
 * tokens of each role, and a second, open recorder (no tokens) on the same database.
 */
export const MAX_BODY_BYTES = 65_536;

export type Token = 'admin' | 'reader' | 'enqueuer' | 'scoped' | 'none' | 'wrong';

export interface Expected {
  status: number;
  /** The problem `code`; null when the HTTP parser refuses the request before the app sees it. */
  code: string | null;
  /** A field the problem's `errors` must name (that path, or a path under it). */
  path?: string;
  /** The exact Allow header of a 405. */
  allow?: string;
}

export interface BadInputCase {
  name: string;
  category: string;
  method: string;
  /**
   * Path and query as written on the request line. `{available}`, `{scheduled}`, `{cancelled}`,
   * `{running}`, `{completed}` and `{failed}` stand for seeded tasks in those states.
   */
  target: string;
  /** JSON-encoded as the body. */
  json?: unknown;
  /** The body as is (strings as UTF-8). */
  raw?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked and no Content-Length. */
  chunked?: boolean;
  /**
   * Content-Type. Default: `application/json` on POST (the cross-site rule wants it even on
   * bodiless POSTs) and whenever there is a body; null sends none.
   */
  contentType?: string | null;
  /** Host header; default 127.0.0.1:<port>; null sends none. */
  host?: string | null;
  /** Sent as HTTP/1.0, which may omit Host (Node refuses an HTTP/1.1 request without one). */
  http10?: boolean;
  /** More header lines, written as given (latin1: each char is one byte). */
  headers?: [string, string][];
  /** Default admin. */
  as?: Token;
  /** Sent to the open recorder (no tokens) instead. */
  open?: boolean;
  expect: Expected;
}

const unsupported: Expected = { status: 415, code: 'unsupported_media_type', path: 'Content-Type' };
const tooLarge: Expected = { status: 413, code: 'payload_too_large' };
const parserRefused: Expected = { status: 400, code: null };
const unauthorized: Expected = { status: 401, code: 'unauthorized' };
const forbidden: Expected = { status: 403, code: 'forbidden' };
const hostRefused: Expected = { status: 421, code: 'host_not_allowed', path: 'Host' };
const taskNotFound: Expected = { status: 404, code: 'task_not_found' };
export const queueNotFound: Expected = { status: 404, code: 'queue_not_found' };
const routeNotFound: Expected = { status: 404, code: 'not_found' };
const wrongState: Expected = { status: 409, code: 'invalid_transition', path: 'state' };
const notFinished: Expected = { status: 409, code: 'invalid_state' };
const notAllowed = (allow: string): Expected => ({ status: 405, code: 'method_not_allowed', allow });

export const CREATE = '/v1/queues/emails/tasks';
export const BATCH = '/v1/queues/emails/tasks/batch';
export const SEARCH = '/v1/tasks';
export const LIST = '/v1/queues/emails/tasks';
export const RETRY = '/v1/tasks/retry';
export const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';
const OVER = 'x'.repeat(MAX_BODY_BYTES + 100);

const auth: BadInputCase[] = [
  { name: 'no token', category: 'auth', method: 'GET', target: '/v1/schedulers', as: 'none', expect: unauthorized },
  {
    name: 'a reader cancels in bulk',
    category: 'auth',
    method: 'POST',
    target: '/v1/tasks/cancel',
    json: { state: 'available' },
    as: 'reader',
    expect: forbidden,
  },
  {
    name: 'no token on the session',
    category: 'auth',
    method: 'GET',
    target: '/v1/session',
    as: 'none',
    expect: unauthorized,
  },
  {
    name: 'no token on the session, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/v1/session',
    as: 'none',
    expect: unauthorized,
  },
  {
    name: 'no token on the activity, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/v1/activity',
    as: 'none',
    expect: unauthorized,
  },
  {
    name: 'no token on the failures, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/v1/failures',
    as: 'none',
    expect: unauthorized,
  },
  {
    name: 'minutes out of range',
    category: 'values',
    method: 'GET',
    target: '/v1/activity?minutes=1441',
    expect: { status: 400, code: 'validation_failed', path: 'minutes' },
  },
  {
    name: 'failures of an unknown queue',
    category: 'queues',
    method: 'GET',
    target: '/v1/failures?queue=nope',
    expect: queueNotFound,
  },
  {
    name: 'bulk cancel with 1,001 ids',
    category: 'sizes',
    method: 'POST',
    target: '/v1/tasks/cancel',
    json: { ids: Array.from({ length: 1001 }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`) },
    expect: { status: 400, code: 'validation_failed', path: 'ids' },
  },
  {
    name: 'no token, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/v1/schedulers',
    as: 'none',
    expect: unauthorized,
  },
  {
    name: 'no token on the queue list, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/v1/queues',
    as: 'none',
    expect: unauthorized,
  },
  {
    name: 'a wrong token',
    category: 'auth',
    method: 'GET',
    target: '/v1/openapi.json',
    as: 'wrong',
    expect: unauthorized,
  },
  {
    name: 'a wrong token, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/v1/openapi.json',
    as: 'wrong',
    expect: unauthorized,
  },
  {
    name: 'a token with a latin1 byte appended',
    category: 'auth',
    method: 'GET',
    target: '/v1/queues',
    as: 'none',
    headers: [['Authorization', 'Bearer test-token-0123456789abcdef\xff']],
    expect: unauthorized,
  },
  {
    name: 'Basic credentials',
    category: 'auth',
    method: 'GET',
    target: '/v1/queues',
    as: 'none',
    headers: [['Authorization', `Basic ${Buffer.from('u:test-token-0123456789abcdef').toString('base64')}`]],
    expect: unauthorized,
  },
  {
    name: 'Bearer with no token',
    category: 'auth',
    method: 'GET',
    target: '/v1/queues',
    as: 'none',
    headers: [['Authorization', 'Bearer ']],
    expect: unauthorized,
  },
  {
    name: 'Bearer with two tokens',
    category: 'auth',
    method: 'GET',
    target: '/v1/queues',
    as: 'none',
    headers: [['Authorization', 'Bearer test-token-0123456789abcdef test-token-0123456789abcdef']],
    expect: unauthorized,
  },
  {
    name: 'metrics for a queue-scoped token',
    category: 'auth',
    method: 'GET',
    target: '/metrics',
    as: 'scoped',
    expect: forbidden,
  },
  {
    name: 'metrics for a queue-scoped token, HEAD',
    category: 'auth',
    method: 'HEAD',
    target: '/metrics',
    as: 'scoped',
    expect: forbidden,
  },
  {
    name: 'purge with a read token',
    category: 'auth',
    method: 'POST',
    target: '/v1/queues/emails/purge',
    as: 'reader',
    expect: forbidden,
  },
  {
    name: 'delete with a read token',
    category: 'auth',
    method: 'DELETE',
    target: '/v1/tasks/{completed}',
    as: 'reader',
    expect: forbidden,
  },
  {
    name: 'resume with a read token',
    category: 'auth',
    method: 'POST',
    target: '/v1/queues/reports/resume',
    as: 'reader',
    expect: forbidden,
  },
  {
    name: 'run with a read token',
    category: 'auth',
    method: 'POST',
    target: '/v1/tasks/{scheduled}/run',
    as: 'reader',
    expect: forbidden,
  },
  {
    name: 'create with a read token',
    category: 'auth',
    method: 'POST',
    target: CREATE,
    json: {},
    as: 'reader',
    expect: forbidden,
  },
  {
    name: 'pause with an enqueue token',
    category: 'auth',
    method: 'POST',
    target: '/v1/queues/emails/pause',
    as: 'enqueuer',
    expect: forbidden,
  },
  {
    name: 'cancel with an enqueue token',
    category: 'auth',
    method: 'POST',
    target: '/v1/tasks/{available}/cancel',
    as: 'enqueuer',
    expect: forbidden,
  },
  {
    name: 'retry with an enqueue token',
    category: 'auth',
    method: 'POST',
    target: '/v1/tasks/{failed}/retry',
    as: 'enqueuer',
    expect: forbidden,
  },
  {
    name: 'bulk retry with an enqueue token',
    category: 'auth',
    method: 'POST',
    target: RETRY,
    json: { state: 'failed' },
    as: 'enqueuer',
    expect: forbidden,
  },
  {
    name: 'create in a queue outside the token scope',
    category: 'auth',
    method: 'POST',
    target: CREATE,
    json: {},
    as: 'scoped',
    expect: forbidden,
  },
  {
    name: 'batch in a queue outside the token scope',
    category: 'auth',
    method: 'POST',
    target: BATCH,
    json: { tasks: [{}] },
    as: 'scoped',
    expect: forbidden,
  },
  {
    name: 'search a queue outside the token scope',
    category: 'auth',
    method: 'GET',
    target: `${SEARCH}?queue=emails`,
    as: 'scoped',
    expect: forbidden,
  },
  {
    name: 'read a task outside the token scope',
    category: 'auth',
    method: 'GET',
    target: '/v1/tasks/{available}',
    as: 'scoped',
    expect: taskNotFound,
  },
];

const methods: BadInputCase[] = [
  {
    name: 'PUT on the queue list',
    category: 'methods',
    method: 'PUT',
    target: '/v1/queues',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'POST on /healthz',
    category: 'methods',
    method: 'POST',
    target: '/healthz',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'DELETE on /readyz',
    category: 'methods',
    method: 'DELETE',
    target: '/readyz',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'PATCH on a task',
    category: 'methods',
    method: 'PATCH',
    target: '/v1/tasks/{available}',
    json: { state: 'completed' },
    expect: notAllowed('GET, HEAD, DELETE, OPTIONS'),
  },
  {
    name: 'DELETE on a queue task list',
    category: 'methods',
    method: 'DELETE',
    target: LIST,
    expect: notAllowed('GET, HEAD, POST, OPTIONS'),
  },
  {
    name: 'GET on pause',
    category: 'methods',
    method: 'GET',
    target: '/v1/queues/emails/pause',
    expect: notAllowed('POST, OPTIONS'),
  },
  {
    name: 'PUT on batch',
    category: 'methods',
    method: 'PUT',
    target: BATCH,
    json: { tasks: [{}] },
    expect: notAllowed('POST, OPTIONS'),
  },
  {
    name: 'GET on cancel',
    category: 'methods',
    method: 'GET',
    target: '/v1/tasks/{available}/cancel',
    expect: notAllowed('POST, OPTIONS'),
  },
  {
    name: 'DELETE on run',
    category: 'methods',
    method: 'DELETE',
    target: '/v1/tasks/{scheduled}/run',
    expect: notAllowed('POST, OPTIONS'),
  },
  {
    name: 'DELETE on /metrics',
    category: 'methods',
    method: 'DELETE',
    target: '/metrics',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'POST on the OpenAPI document',
    category: 'methods',
    method: 'POST',
    target: '/v1/openapi.json',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'PUT on schedulers',
    category: 'methods',
    method: 'PUT',
    target: '/v1/schedulers',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'TRACE on the queue list',
    category: 'methods',
    method: 'TRACE',
    target: '/v1/queues',
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'PATCH on the search',
    category: 'methods',
    method: 'PATCH',
    target: SEARCH,
    expect: notAllowed('GET, HEAD, OPTIONS'),
  },
  {
    name: 'GET on the bulk retry (read as a task id)',
    category: 'methods',
    method: 'GET',
    target: RETRY,
    expect: taskNotFound,
  },
  {
    name: 'a method the HTTP parser does not know',
    category: 'methods',
    method: 'FOO',
    target: '/v1/queues',
    expect: parserRefused,
  },
  { name: 'a lowercase method', category: 'methods', method: 'get', target: '/v1/queues', expect: parserRefused },
];

const routes: BadInputCase[] = [
  { name: 'an unknown route', category: 'routes', method: 'GET', target: '/v1/nope', expect: routeNotFound },
  { name: 'an uppercase route', category: 'routes', method: 'GET', target: '/V1/QUEUES', expect: routeNotFound },
  { name: 'a doubled slash', category: 'routes', method: 'GET', target: '//v1/queues', expect: routeNotFound },
  {
    name: 'a dot-dot segment in the route',
    category: 'routes',
    method: 'GET',
    target: '/v1/../v1/queues',
    expect: routeNotFound,
  },
  {
    name: 'an encoded slash in the route',
    category: 'routes',
    method: 'GET',
    target: '/v1/queues%2Femails/tasks',
    expect: routeNotFound,
  },
];

const queueNames: BadInputCase[] = [
  {
    name: 'create in an unknown queue',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/nope/tasks',
    json: {},
    expect: queueNotFound,
  },
  {
    name: 'batch in an unknown queue',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/nope/tasks/batch',
    json: { tasks: [{}] },
    expect: queueNotFound,
  },
  {
    name: 'list an unknown queue',
    category: 'queue names',
    method: 'GET',
    target: '/v1/queues/nope/tasks',
    expect: queueNotFound,
  },
  {
    name: 'list an unknown queue, HEAD',
    category: 'queue names',
    method: 'HEAD',
    target: '/v1/queues/nope/tasks',
    expect: queueNotFound,
  },
  {
    name: 'pause an unknown queue',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/nope/pause',
    expect: queueNotFound,
  },
  {
    name: 'resume an unknown queue',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/nope/resume',
    expect: queueNotFound,
  },
  {
    name: 'purge an unknown queue',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/nope/purge',
    expect: queueNotFound,
  },
  {
    name: 'NUL as the queue name',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/%00/pause',
    expect: queueNotFound,
  },
  {
    name: 'a queue name in the wrong case',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/EMAILS/purge',
    expect: queueNotFound,
  },
  {
    name: 'a queue name with a trailing space',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/emails%20/purge',
    expect: queueNotFound,
  },
  {
    name: 'a 300-character queue name',
    category: 'queue names',
    method: 'GET',
    target: `/v1/queues/${'a'.repeat(300)}/tasks`,
    expect: queueNotFound,
  },
  {
    name: 'an encoded ../ as the queue name',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/..%2Femails/pause',
    expect: queueNotFound,
  },
  {
    name: 'a lone surrogate (CESU-8) as the queue name',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/%ED%A0%80/resume',
    expect: queueNotFound,
  },
  {
    name: '__proto__ as the queue name',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/__proto__/tasks',
    json: {},
    expect: queueNotFound,
  },
  {
    name: 'constructor as the queue name',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/constructor/purge',
    expect: queueNotFound,
  },
  {
    name: 'toString as the queue name',
    category: 'queue names',
    method: 'GET',
    target: '/v1/queues/toString/tasks',
    expect: queueNotFound,
  },
  {
    name: 'a non-ASCII queue name',
    category: 'queue names',
    method: 'POST',
    target: '/v1/queues/%C3%A9mails/tasks',
    json: {},
    expect: queueNotFound,
  },
];

const ids: BadInputCase[] = [
  {
    name: 'a task id that is not a UUID',
    category: 'ids',
    method: 'GET',
    target: '/v1/tasks/not-a-uuid',
    expect: taskNotFound,
  },
  {
    name: 'an unknown task id',
    category: 'ids',
    method: 'GET',
    target: `/v1/tasks/${UNKNOWN_ID}`,
    expect: taskNotFound,
  },
  {
    name: 'a task id that is not a UUID, HEAD',
    category: 'ids',
    method: 'HEAD',
    target: '/v1/tasks/not-a-uuid',
    expect: taskNotFound,
  },
  { name: 'NUL as the task id', category: 'ids', method: 'GET', target: '/v1/tasks/%00', expect: taskNotFound },
  {
    name: 'a task id followed by NUL',
    category: 'ids',
    method: 'GET',
    target: '/v1/tasks/{available}%00',
    expect: taskNotFound,
  },
  {
    name: 'a 10,000-character task id',
    category: 'ids',
    method: 'GET',
    target: `/v1/tasks/${'7'.repeat(10_000)}`,
    expect: taskNotFound,
  },
  {
    name: 'a task id with SQL in it',
    category: 'ids',
    method: 'GET',
    target: "/v1/tasks/'%20OR%201=1--",
    expect: taskNotFound,
  },
  {
    name: 'a task id with a leading space',
    category: 'ids',
    method: 'GET',
    target: '/v1/tasks/%20{available}',
    expect: taskNotFound,
  },
  {
    name: 'cancel a task id that is not a UUID',
    category: 'ids',
    method: 'POST',
    target: '/v1/tasks/not-a-uuid/cancel',
    expect: taskNotFound,
  },
  {
    name: 'retry an unknown task id',
    category: 'ids',
    method: 'POST',
    target: `/v1/tasks/${UNKNOWN_ID}/retry`,
    expect: taskNotFound,
  },
  {
    name: 'run a lone surrogate (CESU-8) task id',
    category: 'ids',
    method: 'POST',
    target: '/v1/tasks/%ED%A0%80/run',
    expect: taskNotFound,
  },
  {
    name: 'delete a task id that is not a UUID',
    category: 'ids',
    method: 'DELETE',
    target: '/v1/tasks/not-a-uuid',
    expect: taskNotFound,
  },
  {
    name: 'delete an unknown task id',
    category: 'ids',
    method: 'DELETE',
    target: `/v1/tasks/${UNKNOWN_ID}`,
    expect: taskNotFound,
  },
  {
    name: 'delete a UUIDv4 nobody issued',
    category: 'ids',
    method: 'DELETE',
    target: '/v1/tasks/3f2b8c9e-4d1a-4e2b-9c3d-5e6f7a8b9c0d',
    expect: taskNotFound,
  },
];

const transitions: BadInputCase[] = [
  {
    name: 'cancel a completed task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{completed}/cancel',
    expect: wrongState,
  },
  {
    // A running task can be cancelled (docs/spec.md 11.6): by its key too, with an unknown key a 404.
    name: 'cancel by a key no task holds',
    category: 'transitions',
    method: 'POST',
    target: '/v1/queues/emails/keys/nobody-holds-this/cancel',
    expect: { status: 404, code: 'task_not_found' },
  },
  {
    name: 'read by a key no task holds, HEAD',
    category: 'transitions',
    method: 'HEAD',
    target: '/v1/queues/emails/keys/nobody-holds-this',
    expect: { status: 404, code: 'task_not_found' },
  },
  {
    name: 'cancel a cancelled task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{cancelled}/cancel',
    expect: wrongState,
  },
  {
    name: 'retry an available task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{available}/retry',
    expect: wrongState,
  },
  {
    name: 'retry a running task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{running}/retry',
    expect: wrongState,
  },
  {
    name: 'run a cancelled task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{cancelled}/run',
    expect: wrongState,
  },
  {
    name: 'run a completed task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{completed}/run',
    expect: wrongState,
  },
  {
    name: 'run a running task',
    category: 'transitions',
    method: 'POST',
    target: '/v1/tasks/{running}/run',
    expect: wrongState,
  },
  {
    name: 'delete an available task',
    category: 'transitions',
    method: 'DELETE',
    target: '/v1/tasks/{available}',
    expect: notFinished,
  },
  {
    name: 'delete a running task',
    category: 'transitions',
    method: 'DELETE',
    target: '/v1/tasks/{running}',
    expect: notFinished,
  },
  {
    name: 'delete a scheduled task',
    category: 'transitions',
    method: 'DELETE',
    target: '/v1/tasks/{scheduled}',
    expect: notFinished,
  },
];

const contentTypes: BadInputCase[] = [
  {
    name: 'purge with no content type',
    category: 'content types',
    method: 'POST',
    target: '/v1/queues/emails/purge',
    contentType: null,
    expect: unsupported,
  },
  {
    name: 'purge as text/plain',
    category: 'content types',
    method: 'POST',
    target: '/v1/queues/emails/purge',
    contentType: 'text/plain',
    expect: unsupported,
  },
  {
    name: 'pause as a form',
    category: 'content types',
    method: 'POST',
    target: '/v1/queues/emails/pause',
    contentType: 'application/x-www-form-urlencoded',
    raw: 'a=1',
    expect: unsupported,
  },
  {
    name: 'resume as multipart',
    category: 'content types',
    method: 'POST',
    target: '/v1/queues/reports/resume',
    contentType: 'multipart/form-data; boundary=x',
    raw: '--x--\r\n',
    expect: unsupported,
  },
  {
    name: 'cancel as text/plain',
    category: 'content types',
    method: 'POST',
    target: '/v1/tasks/{available}/cancel',
    contentType: 'text/plain',
    raw: '{}',
    expect: unsupported,
  },
  {
    name: 'retry with no content type',
    category: 'content types',
    method: 'POST',
    target: '/v1/tasks/{failed}/retry',
    contentType: null,
    expect: unsupported,
  },
  {
    name: 'run as a form',
    category: 'content types',
    method: 'POST',
    target: '/v1/tasks/{scheduled}/run',
    contentType: 'application/x-www-form-urlencoded',
    expect: unsupported,
  },
  {
    name: 'bulk retry as text/plain',
    category: 'content types',
    method: 'POST',
    target: RETRY,
    contentType: 'text/plain',
    json: { state: 'failed' },
    expect: unsupported,
  },
  {
    name: 'create as text/plain',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: 'text/plain',
    json: {},
    expect: unsupported,
  },
  {
    name: 'create as multipart',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: 'multipart/form-data; boundary=b',
    raw: '--b\r\nContent-Disposition: form-data; name="path"\r\n\r\n/x\r\n--b--\r\n',
    expect: unsupported,
  },
  {
    name: 'create as a form',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: 'application/x-www-form-urlencoded',
    raw: 'path=%2Fx',
    expect: unsupported,
  },
  {
    name: 'create with no content type',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: null,
    raw: '{}',
    expect: unsupported,
  },
  {
    name: 'batch as text/plain',
    category: 'content types',
    method: 'POST',
    target: BATCH,
    contentType: 'text/plain',
    json: { tasks: [{}] },
    expect: unsupported,
  },
  {
    name: 'JSON declared in latin1',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: 'application/json; charset=iso-8859-1',
    json: {},
    expect: unsupported,
  },
  {
    name: 'JSON declared and sent in UTF-16',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: 'application/json; charset=utf-16',
    raw: Buffer.from('{"path":"/x"}', 'utf16le'),
    expect: unsupported,
  },
  {
    name: 'application/jsonp',
    category: 'content types',
    method: 'POST',
    target: CREATE,
    contentType: 'application/jsonp',
    json: {},
    expect: unsupported,
  },
  {
    name: 'text/json',
    category: 'content types',
    method: 'POST',
    target: BATCH,
    contentType: 'text/json',
    json: { tasks: [{}] },
    expect: unsupported,
  },
  {
    name: 'open API: purge with no content type',
    category: 'content types',
    open: true,
    method: 'POST',
    target: '/v1/queues/emails/purge',
    contentType: null,
    expect: unsupported,
  },
  {
    name: 'open API: purge as text/plain',
    category: 'content types',
    open: true,
    method: 'POST',
    target: '/v1/queues/emails/purge',
    contentType: 'text/plain',
    raw: 'x',
    expect: unsupported,
  },
  {
    name: 'open API: retry as text/plain',
    category: 'content types',
    open: true,
    method: 'POST',
    target: '/v1/tasks/{failed}/retry',
    contentType: 'text/plain',
    expect: unsupported,
  },
  {
    name: 'open API: create as text/plain',
    category: 'content types',
    open: true,
    method: 'POST',
    target: CREATE,
    contentType: 'text/plain',
    json: { path: '/x' },
    expect: unsupported,
  },
];

const host: BadInputCase[] = [
  {
    name: 'open API: a foreign Host',
    category: 'host',
    open: true,
    method: 'GET',
    target: '/v1/queues',
    host: 'evil.example',
    expect: hostRefused,
  },
  {
    name: 'open API: a foreign Host on purge',
    category: 'host',
    open: true,
    method: 'POST',
    target: '/v1/queues/emails/purge',
    host: 'evil.example',
    expect: hostRefused,
  },
  {
    name: 'open API: a foreign Host on delete',
    category: 'host',
    open: true,
    method: 'DELETE',
    target: '/v1/tasks/{completed}',
    host: 'evil.example:8787',
    expect: hostRefused,
  },
  {
    name: 'open API: a Host that starts like loopback',
    category: 'host',
    open: true,
    method: 'GET',
    target: SEARCH,
    host: '127.0.0.1.evil.example',
    expect: hostRefused,
  },
  {
    name: 'open API: localhost as a subdomain of another name',
    category: 'host',
    open: true,
    method: 'POST',
    target: CREATE,
    json: {},
    host: 'localhost.evil.example',
    expect: hostRefused,
  },
  {
    name: 'open API: userinfo in Host',
    category: 'host',
    open: true,
    method: 'GET',
    target: '/v1/queues',
    host: 'evil.example@127.0.0.1',
    expect: hostRefused,
  },
  {
    name: 'open API: Host 0.0.0.0',
    category: 'host',
    open: true,
    method: 'GET',
    target: '/v1/schedulers',
    host: '0.0.0.0',
    expect: hostRefused,
  },
  {
    name: 'open API: no Host header',
    category: 'host',
    open: true,
    method: 'GET',
    target: '/v1/queues',
    host: null,
    expect: parserRefused,
  },
  {
    name: 'open API: no Host header, HTTP/1.0',
    category: 'host',
    open: true,
    method: 'POST',
    target: '/v1/queues/emails/pause',
    host: null,
    http10: true,
    expect: hostRefused,
  },
];

const framing: BadInputCase[] = [
  {
    name: 'a Content-Length that is not a number',
    category: 'http framing',
    method: 'GET',
    target: '/healthz',
    headers: [['Content-Length', 'abc']],
    expect: parserRefused,
  },
  {
    name: 'two different Content-Lengths',
    category: 'http framing',
    method: 'GET',
    target: '/healthz',
    headers: [
      ['Content-Length', '1'],
      ['Content-Length', '2'],
    ],
    raw: 'xy',
    expect: parserRefused,
  },
  {
    name: 'Transfer-Encoding and Content-Length together',
    category: 'http framing',
    method: 'HEAD',
    target: '/healthz',
    headers: [
      ['Transfer-Encoding', 'chunked'],
      ['Content-Length', '5'],
    ],
    raw: '0\r\n\r\n',
    expect: parserRefused,
  },
  {
    name: 'NUL in a header value',
    category: 'http framing',
    method: 'GET',
    target: '/readyz',
    headers: [['X-A', 'a\u0000b']],
    expect: parserRefused,
  },
  {
    name: 'a space in a header name',
    category: 'http framing',
    method: 'HEAD',
    target: '/readyz',
    headers: [['Bad Name', 'x']],
    expect: parserRefused,
  },
  {
    name: 'a bare CR in a header value',
    category: 'http framing',
    method: 'GET',
    target: '/readyz',
    headers: [['X-A', 'a\rb']],
    expect: parserRefused,
  },
  {
    name: 'a negative Content-Length on create',
    category: 'http framing',
    method: 'POST',
    target: CREATE,
    headers: [['Content-Length', '-1']],
    expect: parserRefused,
  },
];

const sizes: BadInputCase[] = [
  {
    name: 'a create body over the limit',
    category: 'sizes',
    method: 'POST',
    target: CREATE,
    json: { body: OVER },
    expect: tooLarge,
  },
  {
    name: 'a create body over the limit, chunked',
    category: 'sizes',
    method: 'POST',
    target: CREATE,
    json: { body: OVER },
    chunked: true,
    expect: tooLarge,
  },
  {
    name: 'a Content-Length of a terabyte',
    category: 'sizes',
    method: 'POST',
    target: CREATE,
    headers: [['Content-Length', '1000000000000']],
    raw: '{}',
    expect: tooLarge,
  },
  {
    name: 'a batch over the limit, chunked',
    category: 'sizes',
    method: 'POST',
    target: BATCH,
    json: { tasks: [{ body: OVER }] },
    chunked: true,
    expect: tooLarge,
  },
  {
    name: 'a batch over the limit',
    category: 'sizes',
    method: 'POST',
    target: BATCH,
    json: { tasks: Array.from({ length: 600 }, () => ({ path: '/p'.repeat(60) })) },
    expect: tooLarge,
  },
  {
    name: 'a bulk retry body over the limit',
    category: 'sizes',
    method: 'POST',
    target: RETRY,
    json: { state: 'failed', search: OVER },
    expect: tooLarge,
  },
  {
    name: 'a bulk retry body over the limit, chunked',
    category: 'sizes',
    method: 'POST',
    target: RETRY,
    json: { state: 'failed', search: OVER },
    chunked: true,
    expect: tooLarge,
  },
];

/** Cases about the request as a whole: who sends it, how, where, and to which route and task. */
export const REQUEST_CASES: readonly BadInputCase[] = [
  ...auth,
  ...methods,
  ...routes,
  ...queueNames,
  ...ids,
  ...transitions,
  ...contentTypes,
  ...host,
  ...framing,
  ...sizes,
];
