import { BATCH, CREATE, LIST, queueNotFound, RETRY, SEARCH, UNKNOWN_ID, type BadInputCase, type Expected } from './bad-input-cases.js';

/**
 * The bad-input corpus, part two (the case shape and part one are in bad-input-cases.ts): what is
 * wrong is a value in a body or a query string: encodings, Unicode, NUL, numbers, duplicate keys,
 * prototype keys, task headers, limits, types, query parameters, cursors, times and views.
 */
const invalid = (path: string): Expected => ({ status: 400, code: 'validation_failed', path });
const invalidJson: Expected = { status: 400, code: 'invalid_json' };
const invalidCursor: Expected = { status: 400, code: 'invalid_cursor' };
const deep = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

const encodings: BadInputCase[] = [
  { name: 'UTF-16LE with a byte order mark', category: 'encodings', method: 'POST', target: CREATE, raw: Buffer.from('\ufeff{"path":"/x"}', 'utf16le'), expect: invalidJson },
  { name: 'UTF-16BE with a byte order mark', category: 'encodings', method: 'POST', target: CREATE, raw: Buffer.from(Buffer.from('\ufeff{}', 'utf16le').swap16()), expect: invalidJson },
  { name: 'an overlong "/" (C0 AF)', category: 'encodings', method: 'POST', target: CREATE, raw: bytes('{"path":"', [0xc0, 0xaf], 'x"}'), expect: invalidJson },
  { name: 'an overlong NUL (C0 80)', category: 'encodings', method: 'POST', target: CREATE, raw: bytes('{"body":"a', [0xc0, 0x80], '"}'), expect: invalidJson },
  { name: 'a surrogate encoded as UTF-8 (ED A0 80)', category: 'encodings', method: 'POST', target: CREATE, raw: bytes('{"key":"', [0xed, 0xa0, 0x80], '"}'), expect: invalidJson },
  { name: 'a truncated UTF-8 sequence at the end', category: 'encodings', method: 'POST', target: BATCH, raw: bytes('{"tasks":[{}]}', [0xe2, 0x82]), expect: invalidJson },
  { name: 'a code point above U+10FFFF (F4 90 80 80)', category: 'encodings', method: 'POST', target: BATCH, raw: bytes('{"tasks":[{"body":"', [0xf4, 0x90, 0x80, 0x80], '"}]}'), expect: invalidJson },
  { name: 'latin1 text (E9)', category: 'encodings', method: 'POST', target: RETRY, raw: bytes('{"state":"failed","search":"caf', [0xe9], '"}'), expect: invalidJson },
  { name: 'an empty bulk retry body', category: 'encodings', method: 'POST', target: RETRY, raw: '', expect: invalidJson },
  { name: 'an empty batch body', category: 'encodings', method: 'POST', target: BATCH, raw: '', expect: invalidJson },
  { name: 'a bulk retry body cut short', category: 'encodings', method: 'POST', target: RETRY, raw: '{"state":"failed",', expect: invalidJson },
  { name: 'JSON with a comment', category: 'encodings', method: 'POST', target: BATCH, raw: '{"tasks":[{}] /* x */}', expect: invalidJson },
  { name: 'NaN as a number', category: 'encodings', method: 'POST', target: CREATE, raw: '{"body":{"n":NaN}}', expect: invalidJson },
  { name: 'two JSON documents in one body', category: 'encodings', method: 'POST', target: CREATE, raw: '{}{}', expect: invalidJson },
];

const unicode: BadInputCase[] = [
  { name: 'a lone high surrogate in a body string', category: 'unicode', method: 'POST', target: CREATE, raw: '{"body":{"x":"\\ud800"}}', expect: invalid('body.x') },
  { name: 'a lone low surrogate as a body key', category: 'unicode', method: 'POST', target: CREATE, raw: '{"body":{"\\udc00":1}}', expect: invalid('body') },
  { name: 'a high surrogate at the end of a string', category: 'unicode', method: 'POST', target: CREATE, raw: '{"body":["a\\ud83d"]}', expect: invalid('body.0') },
  { name: 'reversed surrogates', category: 'unicode', method: 'POST', target: CREATE, raw: '{"body":"\\ude00\\ud83d"}', expect: invalid('body') },
  { name: 'a lone surrogate in the path', category: 'unicode', method: 'POST', target: CREATE, raw: '{"path":"/\\ud800"}', expect: invalid('path') },
  { name: 'a lone surrogate in the key', category: 'unicode', method: 'POST', target: CREATE, raw: '{"key":"k\\udfff"}', expect: invalid('key') },
  { name: 'a lone surrogate in a header value', category: 'unicode', method: 'POST', target: CREATE, raw: '{"headers":{"x-a":"\\ud800"}}', expect: invalid('headers') },
  { name: 'a lone surrogate in a header name', category: 'unicode', method: 'POST', target: CREATE, raw: '{"headers":{"x-\\ud800":"v"}}', expect: invalid('headers') },
  { name: 'a lone surrogate in the content type', category: 'unicode', method: 'POST', target: CREATE, raw: '{"body":1,"contentType":"application/json; x=\\ud800"}', expect: invalid('contentType') },
  { name: 'a lone surrogate in runAt', category: 'unicode', method: 'POST', target: CREATE, raw: '{"runAt":"\\ud800"}', expect: invalid('runAt') },
  { name: 'a lone surrogate in a batch task body', category: 'unicode', method: 'POST', target: BATCH, raw: '{"tasks":[{},{"body":"\\udbff"}]}', expect: invalid('tasks.1.body') },
  { name: 'a lone surrogate in the bulk retry search', category: 'unicode', method: 'POST', target: RETRY, raw: '{"state":"failed","search":"\\ud800"}', expect: invalid('search') },
  { name: 'a lone surrogate as an unknown key', category: 'unicode', method: 'POST', target: RETRY, raw: '{"state":"failed","\\ud800":1}', expect: invalid('(root)') },
  { name: 'a non-ASCII Idempotency-Key', category: 'unicode', method: 'POST', target: CREATE, json: {}, headers: [['Idempotency-Key', 'k\xe9y']], expect: invalid('Idempotency-Key') },
  { name: 'an Idempotency-Key with a space', category: 'unicode', method: 'POST', target: BATCH, json: { tasks: [{}] }, headers: [['Idempotency-Key', 'a b']], expect: invalid('Idempotency-Key') },
  { name: 'a 256-character Idempotency-Key', category: 'unicode', method: 'POST', target: CREATE, json: {}, headers: [['Idempotency-Key', 'k'.repeat(256)]], expect: invalid('Idempotency-Key') },
];

const nul: BadInputCase[] = [
  { name: 'NUL in a body key', category: 'nul', method: 'POST', target: CREATE, json: { body: { 'a\u0000': 1 } }, expect: invalid('body') },
  { name: 'NUL in a header name', category: 'nul', method: 'POST', target: CREATE, json: { headers: { 'x-a\u0000': 'v' } }, expect: invalid('headers') },
  { name: 'NUL in the content type', category: 'nul', method: 'POST', target: CREATE, json: { body: 1, contentType: 'application/json\u0000' }, expect: invalid('contentType') },
  { name: 'NUL in runAt', category: 'nul', method: 'POST', target: CREATE, json: { runAt: '2030-01-01T00:00:00Z\u0000' }, expect: invalid('runAt') },
  { name: 'NUL in a batch task key', category: 'nul', method: 'POST', target: BATCH, json: { tasks: [{ key: '\u0000' }] }, expect: invalid('tasks.0.key') },
  { name: 'NUL in the bulk retry path', category: 'nul', method: 'POST', target: RETRY, json: { state: 'failed', path: '/a\u0000' }, expect: invalid('path') },
  { name: 'NUL in the bulk retry search', category: 'nul', method: 'POST', target: RETRY, json: { state: 'failed', search: '\u0000' }, expect: invalid('search') },
  { name: 'NUL in search', category: 'nul', method: 'GET', target: `${SEARCH}?search=%00`, expect: invalid('search') },
  { name: 'NUL inside search', category: 'nul', method: 'GET', target: `${SEARCH}?search=a%00b`, expect: invalid('search') },
  { name: 'NUL in path', category: 'nul', method: 'GET', target: `${SEARCH}?path=%00`, expect: invalid('path') },
  { name: 'NUL in queue', category: 'nul', method: 'GET', target: `${SEARCH}?queue=%00`, expect: invalid('queue') },
  { name: 'NUL in state', category: 'nul', method: 'GET', target: `${SEARCH}?state=failed%00`, expect: invalid('state') },
  { name: 'NUL in a cursor', category: 'nul', method: 'GET', target: `${LIST}?cursor=%00`, expect: invalid('cursor') },
  { name: 'NUL in limit', category: 'nul', method: 'GET', target: `${LIST}?limit=%00`, expect: invalid('limit') },
  { name: 'NUL as a query parameter name', category: 'nul', method: 'GET', target: `${SEARCH}?%00=1`, expect: invalid('(query)') },
  { name: 'NUL in view of a task read', category: 'nul', method: 'GET', target: '/v1/tasks/{available}?view=full%00', expect: invalid('view') },
];

const numbers: BadInputCase[] = [
  { name: '1e400 in the body', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"n":1e400}}', expect: invalid('body.n') },
  { name: '-1e400 in the body', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":[-1e400]}', expect: invalid('body.0') },
  { name: '1e-400 in the body (underflows to 0)', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"n":1e-400}}', expect: invalid('body.n') },
  { name: '12345678901234567890 in the body', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"id":12345678901234567890}}', expect: invalid('body.id') },
  { name: '2^64 in the body', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"n":18446744073709551616}}', expect: invalid('body.n') },
  { name: '2^53 + 1 in the body', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"n":9007199254740993}}', expect: invalid('body.n') },
  { name: '1.0000000000000000001 in the body', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"n":1.0000000000000000001}}', expect: invalid('body.n') },
  { name: '0.1 written with 22 digits', category: 'numbers', method: 'POST', target: CREATE, raw: '{"body":{"n":0.1000000000000000055511}}', expect: invalid('body.n') },
  { name: 'a huge number in a batch task body', category: 'numbers', method: 'POST', target: BATCH, raw: '{"tasks":[{"body":{"a":{"b":[1,2,1e400]}}}]}', expect: invalid('tasks.0.body.a.b.2') },
  { name: 'maxAttempts 1e400', category: 'numbers', method: 'POST', target: CREATE, raw: '{"maxAttempts":1e400}', expect: invalid('maxAttempts') },
  { name: 'maxAttempts 3.0000000000000001', category: 'numbers', method: 'POST', target: CREATE, raw: '{"maxAttempts":3.0000000000000001}', expect: invalid('maxAttempts') },
  { name: 'delay 1e400', category: 'numbers', method: 'POST', target: CREATE, raw: '{"delay":1e400}', expect: invalid('delay') },
  { name: 'a huge number in a bulk retry body', category: 'numbers', method: 'POST', target: RETRY, raw: '{"state":"failed","dryRun":1e400}', expect: invalid('dryRun') },
];

const duplicates: BadInputCase[] = [
  { name: 'a duplicate field in a create', category: 'duplicate keys', method: 'POST', target: CREATE, raw: '{"path":"/a","path":"/b"}', expect: invalid('path') },
  { name: 'a duplicate key in a body', category: 'duplicate keys', method: 'POST', target: CREATE, raw: '{"body":{"amount":1,"amount":1000}}', expect: invalid('body.amount') },
  { name: 'a duplicate dryRun in a bulk retry', category: 'duplicate keys', method: 'POST', target: RETRY, raw: '{"state":"cancelled","dryRun":true,"dryRun":false}', expect: invalid('dryRun') },
  { name: 'a duplicate tasks array in a batch', category: 'duplicate keys', method: 'POST', target: BATCH, raw: '{"tasks":[{}],"tasks":[{},{}]}', expect: invalid('tasks') },
];

const prototypes: BadInputCase[] = [
  { name: '__proto__ in a bulk retry', category: 'prototype', method: 'POST', target: RETRY, raw: '{"state":"failed","__proto__":{"dryRun":false}}', expect: invalid('__proto__') },
  { name: '__proto__ in a batch task', category: 'prototype', method: 'POST', target: BATCH, raw: '{"tasks":[{"__proto__":{"method":"GET"}}]}', expect: invalid('tasks.0.__proto__') },
  { name: 'constructor.prototype at the root', category: 'prototype', method: 'POST', target: CREATE, json: { constructor: { prototype: { admin: true } } }, expect: invalid('constructor') },
  { name: '__proto__ as a query parameter', category: 'prototype', method: 'GET', target: `${LIST}?__proto__=x`, expect: invalid('__proto__') },
  { name: 'constructor as a query parameter', category: 'prototype', method: 'GET', target: `${SEARCH}?constructor=x`, expect: invalid('constructor') },
];

const headers: BadInputCase[] = [
  { name: 'Dispatchr_Queue (underscore form)', category: 'headers', method: 'POST', target: CREATE, json: { headers: { Dispatchr_Queue: 'other' } }, expect: invalid('headers.Dispatchr_Queue') },
  { name: 'Webhook_Id (underscore form)', category: 'headers', method: 'POST', target: CREATE, json: { headers: { Webhook_Id: 'x' } }, expect: invalid('headers.Webhook_Id') },
  { name: 'Transfer_Encoding (underscore form)', category: 'headers', method: 'POST', target: BATCH, json: { tasks: [{ headers: { Transfer_Encoding: 'chunked' } }] }, expect: invalid('tasks.0.headers.Transfer_Encoding') },
  { name: 'X-Forwarded-For', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'X-Forwarded-For': '10.0.0.1' } }, expect: invalid('headers.X-Forwarded-For') },
  { name: 'X-Forwarded-Host', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'x-forwarded-host': 'admin.internal' } }, expect: invalid('headers.x-forwarded-host') },
  { name: 'Forwarded', category: 'headers', method: 'POST', target: CREATE, json: { headers: { Forwarded: 'for=10.0.0.1' } }, expect: invalid('headers.Forwarded') },
  { name: 'X-Original-URL', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'X-Original-URL': '/admin' } }, expect: invalid('headers.X-Original-URL') },
  { name: 'X-Rewrite-URL', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'X-Rewrite-URL': '/admin' } }, expect: invalid('headers.X-Rewrite-URL') },
  { name: 'X-HTTP-Method-Override', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'X-HTTP-Method-Override': 'DELETE' } }, expect: invalid('headers.X-HTTP-Method-Override') },
  { name: 'X-Method-Override', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'X-Method-Override': 'DELETE' } }, expect: invalid('headers.X-Method-Override') },
  { name: 'X-Real-IP', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'X-Real-IP': '127.0.0.1' } }, expect: invalid('headers.X-Real-IP') },
  { name: 'X_Forwarded_For (underscore form)', category: 'headers', method: 'POST', target: CREATE, json: { headers: { X_Forwarded_For: '10.0.0.1' } }, expect: invalid('headers.X_Forwarded_For') },
  { name: '65 headers', category: 'headers', method: 'POST', target: CREATE, json: { headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-h${i}`, 'v'])) }, expect: invalid('headers') },
  { name: 'a header value of 8,193 characters', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'x-a': 'v'.repeat(8193) } }, expect: invalid('headers.x-a') },
  { name: 'a non-latin1 header value', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'x-a': 'caf\u00e9 \u2603' } }, expect: invalid('headers.x-a') },
  { name: 'a header name with a colon', category: 'headers', method: 'POST', target: CREATE, json: { headers: { 'x-a:b': 'v' } }, expect: invalid('headers.x-a:b') },
];

const limits: BadInputCase[] = [
  { name: '1,001 tasks in a batch', category: 'limits', method: 'POST', target: BATCH, json: { tasks: Array.from({ length: 1001 }, () => ({})) }, expect: invalid('tasks') },
  { name: 'no tasks in a batch', category: 'limits', method: 'POST', target: BATCH, json: { tasks: [] }, expect: invalid('tasks') },
  { name: 'a key of 256 characters', category: 'limits', method: 'POST', target: CREATE, json: { key: 'k'.repeat(256) }, expect: invalid('key') },
  { name: 'a path of 2,049 characters', category: 'limits', method: 'POST', target: CREATE, json: { path: `/${'p'.repeat(2048)}` }, expect: invalid('path') },
  { name: 'a content type of 256 characters', category: 'limits', method: 'POST', target: CREATE, json: { bodyBase64: 'AA==', contentType: `text/${'x'.repeat(251)}` }, expect: invalid('contentType') },
  { name: 'a body nested 65 levels in a batch', category: 'limits', method: 'POST', target: BATCH, raw: `{"tasks":[{"body":${deep(62)}}]}`, expect: invalid('tasks.0.body') },
  { name: 'a bulk retry nested 10,000 levels', category: 'limits', method: 'POST', target: RETRY, raw: `{"state":"failed","search":${deep(10_000)}}`, expect: invalid('search') },
  { name: 'maxAttempts over the queue cap', category: 'limits', method: 'POST', target: '/v1/queues/reports/tasks', json: { maxAttempts: 6 }, expect: invalid('maxAttempts') },
  { name: 'timeout over the queue cap', category: 'limits', method: 'POST', target: '/v1/queues/reports/tasks', json: { timeout: '11s' }, expect: invalid('timeout') },
  { name: 'maxAttempts over the default cap', category: 'limits', method: 'POST', target: CREATE, json: { maxAttempts: 101 }, expect: invalid('maxAttempts') },
  { name: 'a batch task over the queue cap', category: 'limits', method: 'POST', target: '/v1/queues/reports/tasks/batch', json: { tasks: [{}, { maxAttempts: 6 }] }, expect: invalid('tasks.1.maxAttempts') },
  { name: 'a search of 201 characters', category: 'limits', method: 'GET', target: `${SEARCH}?search=${'s'.repeat(201)}`, expect: invalid('search') },
  { name: 'a path prefix of 2,049 characters', category: 'limits', method: 'GET', target: `${SEARCH}?path=/${'p'.repeat(2048)}`, expect: invalid('path') },
  { name: 'a queue filter of 65 characters', category: 'limits', method: 'GET', target: `${SEARCH}?queue=${'q'.repeat(65)}`, expect: invalid('queue') },
  { name: 'a cursor of 201 characters', category: 'limits', method: 'GET', target: `${LIST}?cursor=${'c'.repeat(201)}`, expect: invalid('cursor') },
  { name: 'a bulk retry search of 201 characters', category: 'limits', method: 'POST', target: RETRY, json: { state: 'failed', search: 's'.repeat(201) }, expect: invalid('search') },
];

const types: BadInputCase[] = [
  { name: 'a batch with no tasks field', category: 'types', method: 'POST', target: BATCH, json: {}, expect: invalid('tasks') },
  { name: 'a batch whose tasks is an object', category: 'types', method: 'POST', target: BATCH, json: { tasks: { 0: {} } }, expect: invalid('tasks') },
  { name: 'a batch task that is a string', category: 'types', method: 'POST', target: BATCH, json: { tasks: ['task'] }, expect: invalid('tasks.0') },
  { name: 'a batch with an unknown field', category: 'types', method: 'POST', target: BATCH, json: { tasks: [{}], atomic: false }, expect: invalid('atomic') },
  { name: 'a batch that is an array', category: 'types', method: 'POST', target: BATCH, json: [{}], expect: invalid('(root)') },
  { name: 'a bulk retry with no state', category: 'types', method: 'POST', target: RETRY, json: {}, expect: invalid('state') },
  { name: 'a bulk retry of running tasks', category: 'types', method: 'POST', target: RETRY, json: { state: 'running' }, expect: invalid('state') },
  { name: 'a bulk retry of no states', category: 'types', method: 'POST', target: RETRY, json: { state: [] }, expect: invalid('state') },
  { name: 'a bulk retry of an unknown state', category: 'types', method: 'POST', target: RETRY, json: { state: ['failed', 'bogus'] }, expect: invalid('state') },
  { name: 'a bulk retry with dryRun a string', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', dryRun: 'yes' }, expect: invalid('dryRun') },
  { name: 'a bulk retry with queue a number', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', queue: 5 }, expect: invalid('queue') },
  { name: 'a bulk retry of an unknown queue', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', queue: 'nope' }, expect: queueNotFound },
  { name: 'a bulk retry with since not a time', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', since: 'yesterday' }, expect: invalid('since') },
  { name: 'a bulk retry with until a number', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', until: 1_700_000_000 }, expect: invalid('until') },
  { name: 'a bulk retry with path a number', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', path: 5 }, expect: invalid('path') },
  { name: 'a bulk retry with an empty search', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', search: '' }, expect: invalid('search') },
  { name: 'a bulk retry with an unknown field', category: 'types', method: 'POST', target: RETRY, json: { state: 'failed', states: ['failed'] }, expect: invalid('states') },
  { name: 'a bulk retry that is an array', category: 'types', method: 'POST', target: RETRY, json: [{ state: 'failed' }], expect: invalid('(root)') },
  { name: 'a bulk retry that is a string', category: 'types', method: 'POST', target: RETRY, json: 'failed', expect: invalid('(root)') },
  { name: 'a create that is a number', category: 'types', method: 'POST', target: CREATE, raw: '42', expect: invalid('(root)') },
];

const query: BadInputCase[] = [
  { name: 'limit 0', category: 'query', method: 'GET', target: `${LIST}?limit=0`, expect: invalid('limit') },
  { name: 'limit 1001', category: 'query', method: 'GET', target: `${LIST}?limit=1001`, expect: invalid('limit') },
  { name: 'limit -1', category: 'query', method: 'GET', target: `${LIST}?limit=-1`, expect: invalid('limit') },
  { name: 'limit 1e2', category: 'query', method: 'GET', target: `${LIST}?limit=1e2`, expect: invalid('limit') },
  { name: 'limit a word', category: 'query', method: 'GET', target: `${LIST}?limit=abc`, expect: invalid('limit') },
  { name: 'limit empty', category: 'query', method: 'GET', target: `${LIST}?limit=`, expect: invalid('limit') },
  { name: 'limit twice', category: 'query', method: 'GET', target: `${LIST}?limit=1&limit=2`, expect: invalid('limit') },
  { name: 'limit in hex', category: 'query', method: 'GET', target: `${LIST}?limit=0x10`, expect: invalid('limit') },
  { name: 'limit in fullwidth digits', category: 'query', method: 'GET', target: `${LIST}?limit=%EF%BC%91`, expect: invalid('limit') },
  { name: 'limit with five digits', category: 'query', method: 'GET', target: `${SEARCH}?limit=00001`, expect: invalid('limit') },
  { name: 'limit fractional', category: 'query', method: 'GET', target: `${SEARCH}?limit=1.5`, expect: invalid('limit') },
  { name: 'limit 0, HEAD', category: 'query', method: 'HEAD', target: `${LIST}?limit=0`, expect: invalid('limit') },
  { name: 'an unknown state', category: 'query', method: 'GET', target: `${LIST}?state=bogus`, expect: invalid('state') },
  { name: 'a state in capitals', category: 'query', method: 'GET', target: `${LIST}?state=RUNNING`, expect: invalid('state') },
  { name: 'two states on a queue list', category: 'query', method: 'GET', target: `${LIST}?state=failed,cancelled`, expect: invalid('state') },
  { name: 'an empty state', category: 'query', method: 'GET', target: `${LIST}?state=`, expect: invalid('state') },
  { name: 'an unknown state, HEAD', category: 'query', method: 'HEAD', target: `${LIST}?state=bogus`, expect: invalid('state') },
  { name: 'a known and an unknown state', category: 'query', method: 'GET', target: `${SEARCH}?state=failed,bogus`, expect: invalid('state') },
  { name: 'only commas as states', category: 'query', method: 'GET', target: `${SEARCH}?state=,`, expect: invalid('state') },
  { name: 'state given twice', category: 'query', method: 'GET', target: `${SEARCH}?state=failed&state=cancelled`, expect: invalid('state') },
  { name: 'an empty search', category: 'query', method: 'GET', target: `${SEARCH}?search=`, expect: invalid('search') },
  { name: 'search given twice', category: 'query', method: 'GET', target: `${SEARCH}?search=a&search=b`, expect: invalid('search') },
  { name: 'path given twice', category: 'query', method: 'GET', target: `${SEARCH}?path=/a&path=/b`, expect: invalid('path') },
  { name: 'an unknown queue filter', category: 'query', method: 'GET', target: `${SEARCH}?queue=nope`, expect: queueNotFound },
  { name: 'queue given twice', category: 'query', method: 'GET', target: `${SEARCH}?queue=emails&queue=reports`, expect: invalid('queue') },
  { name: 'an unknown search parameter', category: 'query', method: 'GET', target: `${SEARCH}?bogus=1`, expect: invalid('bogus') },
  { name: 'an unknown search parameter, HEAD', category: 'query', method: 'HEAD', target: `${SEARCH}?bogus=1`, expect: invalid('bogus') },
  { name: 'a parameter name in the wrong case', category: 'query', method: 'GET', target: `${SEARCH}?Queue=emails`, expect: invalid('Queue') },
  { name: 'a PHP-style array parameter', category: 'query', method: 'GET', target: `${SEARCH}?queue[]=emails`, expect: invalid('queue[]') },
  { name: 'a search parameter on a queue list', category: 'query', method: 'GET', target: `${LIST}?queue=emails`, expect: invalid('queue') },
  { name: 'an unknown parameter on a task read', category: 'query', method: 'GET', target: '/v1/tasks/{available}?foo=1', expect: invalid('foo') },
  { name: 'an unknown parameter on the queue list', category: 'query', method: 'GET', target: '/v1/queues?foo=1', expect: invalid('foo') },
  { name: 'an unknown parameter on the scheduler list', category: 'query', method: 'GET', target: '/v1/schedulers?foo=1', expect: invalid('foo') },
  { name: 'an unknown parameter on pause', category: 'query', method: 'POST', target: '/v1/queues/emails/pause?until=tomorrow', expect: invalid('until') },
  { name: 'an unknown parameter on cancel', category: 'query', method: 'POST', target: '/v1/tasks/{available}/cancel?now=1', expect: invalid('now') },
  { name: 'an unknown parameter on delete', category: 'query', method: 'DELETE', target: '/v1/tasks/{completed}?force=1', expect: invalid('force') },
  { name: 'an unknown parameter on create', category: 'query', method: 'POST', target: `${CREATE}?dryRun=1`, json: {}, expect: invalid('dryRun') },
  { name: 'an unknown parameter on purge', category: 'query', method: 'POST', target: '/v1/queues/emails/purge?state=failed', expect: invalid('state') },
];

const cursors: BadInputCase[] = [
  { name: 'a cursor of garbage', category: 'cursors', method: 'GET', target: `${LIST}?cursor=garbage`, expect: invalidCursor },
  { name: 'two cursors', category: 'cursors', method: 'GET', target: `${LIST}?cursor=a&cursor=b`, expect: invalid('cursor') },
  { name: 'a cursor naming no task id', category: 'cursors', method: 'GET', target: `${SEARCH}?cursor=${cursorOf('v1:not-an-id')}`, expect: invalidCursor },
  { name: 'a cursor of an unknown version', category: 'cursors', method: 'GET', target: `${SEARCH}?cursor=${cursorOf(`v9:${UNKNOWN_ID}`)}`, expect: invalidCursor },
  { name: 'a cursor with SQL in it', category: 'cursors', method: 'GET', target: `${SEARCH}?cursor=${cursorOf("v1:' or 1=1 --")}`, expect: invalidCursor },
  { name: 'a cursor of invalid UTF-8', category: 'cursors', method: 'GET', target: `${SEARCH}?cursor=%ED%A0%80`, expect: invalidCursor },
  { name: 'a cursor of garbage, HEAD', category: 'cursors', method: 'HEAD', target: `${SEARCH}?cursor=garbage`, expect: invalidCursor },
];

const times: BadInputCase[] = [
  { name: 'since a word', category: 'times', method: 'GET', target: `${SEARCH}?since=yesterday`, expect: invalid('since') },
  { name: 'since month 13', category: 'times', method: 'GET', target: `${SEARCH}?since=2025-13-01T00:00:00Z`, expect: invalid('since') },
  { name: 'since a date without a time', category: 'times', method: 'GET', target: `${SEARCH}?since=2025-01-01`, expect: invalid('since') },
  { name: 'since without a zone', category: 'times', method: 'GET', target: `${SEARCH}?since=2025-01-01T00:00:00`, expect: invalid('since') },
  { name: 'since February 30', category: 'times', method: 'GET', target: `${SEARCH}?since=2025-02-30T00:00:00Z`, expect: invalid('since') },
  { name: 'since a six-digit year', category: 'times', method: 'GET', target: `${SEARCH}?since=%2B275760-09-13T00:00:00Z`, expect: invalid('since') },
  { name: 'since twice', category: 'times', method: 'GET', target: `${SEARCH}?since=2025-01-01T00:00:00Z&since=2025-01-02T00:00:00Z`, expect: invalid('since') },
  { name: 'until hour 25', category: 'times', method: 'GET', target: `${SEARCH}?until=2025-01-01T25:00:00Z`, expect: invalid('until') },
  { name: 'until in epoch seconds', category: 'times', method: 'GET', target: `${SEARCH}?until=1700000000`, expect: invalid('until') },
  { name: 'until with an offset of 24 hours', category: 'times', method: 'GET', target: `${SEARCH}?until=2025-01-01T00:00:00%2B24:00`, expect: invalid('until') },
  { name: 'since a word, HEAD', category: 'times', method: 'HEAD', target: `${SEARCH}?since=yesterday`, expect: invalid('since') },
];

const views: BadInputCase[] = [
  { name: 'an unknown view on the search', category: 'views', method: 'GET', target: `${SEARCH}?view=bogus`, expect: invalid('view') },
  { name: 'a view in capitals', category: 'views', method: 'GET', target: `${SEARCH}?view=FULL`, expect: invalid('view') },
  { name: 'two views on a queue list', category: 'views', method: 'GET', target: `${LIST}?view=full&view=basic`, expect: invalid('view') },
  { name: 'an empty view on a queue list', category: 'views', method: 'GET', target: `${LIST}?view=`, expect: invalid('view') },
  { name: 'an unknown view on a task read', category: 'views', method: 'GET', target: '/v1/tasks/{available}?view=bogus', expect: invalid('view') },
  { name: 'two views on a task read', category: 'views', method: 'GET', target: '/v1/tasks/{available}?view=full&view=full', expect: invalid('view') },
  { name: 'an unknown view on a task read, HEAD', category: 'views', method: 'HEAD', target: '/v1/tasks/{available}?view=bogus', expect: invalid('view') },
];

export const VALUE_CASES: readonly BadInputCase[] = [
  ...encodings,
  ...unicode,
  ...nul,
  ...numbers,
  ...duplicates,
  ...prototypes,
  ...headers,
  ...limits,
  ...types,
  ...query,
  ...cursors,
  ...times,
  ...views,
];
