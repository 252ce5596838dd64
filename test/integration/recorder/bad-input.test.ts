import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/**
 * The bad-input list: each request answers 4xx naming the field, writes nothing, and leaves the
 * process answering. Raw strings are sent as written, so JSON the client library would never make
 * (duplicate __proto__, 10,000-deep nesting, broken UTF-8) reaches the server as is.
 */
const deep = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

type Case = [name: string, body: unknown, path: string];

const CASES: Case[] = [
  // wrong types, one field at a time
  ['path not a string', { path: 5 }, 'path'],
  ['method unknown', { method: 'FETCH' }, 'method'],
  ['method lowercase', { method: 'post' }, 'method'],
  ['headers an array', { headers: ['x-a'] }, 'headers'],
  ['header value a number', { headers: { 'x-a': 1 } }, 'headers.x-a'],
  ['bodyBase64 not base64', { bodyBase64: 'not base64!' }, 'bodyBase64'],
  ['body and bodyBase64', { body: {}, bodyBase64: 'AA==' }, 'bodyBase64'],
  ['contentType a number', { contentType: 5 }, 'contentType'],
  ['non-JSON contentType with body', { body: 'x', contentType: 'text/plain' }, 'contentType'],
  ['runAt a number', { runAt: 1700000000 }, 'runAt'],
  ['runAt not RFC 3339', { runAt: 'tomorrow' }, 'runAt'],
  ['runAt February 30', { runAt: '2030-02-30T00:00:00Z' }, 'runAt'],
  ['runAt over a year ahead', { runAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'runAt'],
  ['runAt and delay', { runAt: '2030-01-01T00:00:00Z', delay: 5 }, 'delay'],
  ['delay a boolean', { delay: true }, 'delay'],
  ['delay not a duration', { delay: 'soon' }, 'delay'],
  ['delay negative', { delay: -5 }, 'delay'],
  ['delay over a year', { delay: '400d' }, 'delay'],
  ['key a number', { key: 5 }, 'key'],
  ['key empty', { key: '' }, 'key'],
  ['maxAttempts a string', { maxAttempts: '3' }, 'maxAttempts'],
  ['maxAttempts fractional', { maxAttempts: 1.5 }, 'maxAttempts'],
  ['maxAttempts 0', { maxAttempts: 0 }, 'maxAttempts'],
  ['maxAttempts 1001', { maxAttempts: 1001 }, 'maxAttempts'],
  ['timeout 0', { timeout: 0 }, 'timeout'],
  ['timeout as long as the lease', { timeout: '2m' }, 'timeout'],
  ['GET with a body', { method: 'GET', body: { a: 1 } }, 'method'],
  ['unknown field', { pathh: '/x' }, 'pathh'],
  // targets
  ['dot-dot segment', { path: '/a/../b' }, 'path'],
  ['dot segment', { path: './b' }, 'path'],
  ['percent-encoded dot-dot', { path: '/a/%2e%2E/b' }, 'path'],
  ['percent-encoded slash and dots', { path: '/a/..%2fb' }, 'path'],
  ['backslash', { path: '/a\\..\\b' }, 'path'],
  ['absolute URL outside the target', { path: 'http://evil.example/tasks' }, 'path'],
  ['absolute URL beside the target path', { path: 'http://127.0.0.1:9/tasksx' }, 'path'],
  ['protocol-relative URL', { path: '//evil.example/x' }, 'path'],
  ['space in path', { path: '/a b' }, 'path'],
  // headers
  ['CR LF in a header value', { headers: { 'x-a': 'v\r\nx-injected: 1' } }, 'headers.x-a'],
  ['LF in a header name', { headers: { 'x-a\nb': 'v' } }, 'headers.x-a\nb'],
  ['hop-by-hop header', { headers: { Connection: 'close' } }, 'headers.Connection'],
  ['Transfer-Encoding', { headers: { 'transfer-encoding': 'chunked' } }, 'headers.transfer-encoding'],
  ['Host', { headers: { Host: 'evil.example' } }, 'headers.Host'],
  ['Content-Length', { headers: { 'Content-Length': '5' } }, 'headers.Content-Length'],
  ['Dispatchr-*', { headers: { 'Dispatchr-Task-Id': 'x' } }, 'headers.Dispatchr-Task-Id'],
  ['webhook-*', { headers: { 'webhook-signature': 'v1,x' } }, 'headers.webhook-signature'],
  ['header twice in two spellings', { headers: { 'x-a': '1', 'X-A': '2' } }, 'headers.X-A'],
  ['Dispatchr_* (underscore spelling)', { headers: { Dispatchr_Queue: 'x' } }, 'headers.Dispatchr_Queue'],
  ['Webhook_Id (underscore spelling)', { headers: { Webhook_Id: 'x' } }, 'headers.Webhook_Id'],
  [
    'Transfer_Encoding (underscore spelling)',
    { headers: { Transfer_Encoding: 'chunked' } },
    'headers.Transfer_Encoding',
  ],
  ['X-Forwarded-For', { headers: { 'X-Forwarded-For': '10.0.0.1' } }, 'headers.X-Forwarded-For'],
  ['X_Forwarded_Host', { headers: { X_Forwarded_Host: 'evil.example' } }, 'headers.X_Forwarded_Host'],
  ['Forwarded', { headers: { Forwarded: 'for=10.0.0.1' } }, 'headers.Forwarded'],
  ['X-HTTP-Method-Override', { headers: { 'X-HTTP-Method-Override': 'DELETE' } }, 'headers.X-HTTP-Method-Override'],
  ['X-Original-URL', { headers: { 'X-Original-URL': '/admin' } }, 'headers.X-Original-URL'],
  ['X-Real-IP', { headers: { 'X-Real-IP': '127.0.0.1' } }, 'headers.X-Real-IP'],
  // NUL, prototypes, depth, shapes
  ['NUL in path', { path: '/a\u0000b' }, 'path'],
  ['NUL in key', { key: 'a\u0000' }, 'key'],
  ['NUL in a body string', { body: { note: 'a\u0000b' } }, 'body.note'],
  ['NUL in a header value', { headers: { 'x-a': '\u0000' } }, 'headers.x-a'],
  ['__proto__ at the root', '{"__proto__": {"admin": true}}', '__proto__'],
  ['__proto__ in the body', '{"body": {"a": {"__proto__": {"admin": true}}}}', 'body.a.__proto__'],
  ['__proto__ as a header', '{"headers": {"__proto__": "x"}}', 'headers.__proto__'],
  ['an unpaired surrogate in a body string', '{"body": {"x": "\\ud800"}}', 'body.x'],
  ['an unpaired surrogate in a body key', '{"body": {"k\\udc00": 1}}', 'body'],
  ['an unpaired surrogate in key', '{"key": "k\\udbff"}', 'key'],
  ['an unpaired surrogate in path', '{"path": "/a\\ud800"}', 'path'],
  ['a number beyond a double (1e400)', '{"body": {"n": 1e400}}', 'body.n'],
  ['an integer beyond 2^53', '{"body": {"n": 9007199254740993}}', 'body.n'],
  ['more digits than a double keeps', '{"body": [0.1000000000000000055511151231257827]}', 'body.0'],
  ['a number that underflows to 0', '{"body": {"tiny": 1e-400}}', 'body.tiny'],
  ['maxAttempts 1e400', '{"maxAttempts": 1e400}', 'maxAttempts'],
  ['maxAttempts above the queue cap (default 100)', { maxAttempts: 101 }, 'maxAttempts'],
  ['delay in milliseconds by mistake (read as seconds: over a year)', { delay: 86_400_000 }, 'delay'],
  ['JSON nested 65 levels', `{"body": ${deep(64)}}`, 'body.0.0'],
  ['JSON nested 10,000 levels', `{"body": ${deep(10_000)}}`, 'body.0.0'],
  ['an array at the root', '[{}]', '(root)'],
  ['null at the root', 'null', '(root)'],
  ['a string at the root', '"task"', '(root)'],
];

describe.each(drivers())('bad input on %s', (driver) => {
  let recorder: TestRecorder;
  let before: number;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver);
    await recorder.call('POST', '/v1/queues/emails/tasks', { body: {} }); // a row, so "nothing written" is not trivially 0
  });
  afterAll(async () => recorder.close());
  afterEach(async () => {
    expect(await recorder.count()).toBe(before); // nothing written
    expect((await recorder.call('GET', '/healthz')).status).toBe(200); // still answering
  });

  it.each(CASES)('refuses %s (400 naming the field)', async (_name, body, path) => {
    before = await recorder.count();
    const options = typeof body === 'string' ? { raw: body } : { body };
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks', options);
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reply.body.code).toBe('validation_failed');
    expect(reply.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('refuses an empty body as invalid_json (an empty body is no JSON document), creating nothing', async () => {
    before = await recorder.count();
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks', { raw: '' });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'invalid_json', detail: 'the body is empty: expected a JSON object' });
  });

  it('refuses malformed JSON and broken UTF-8 with invalid_json', async () => {
    before = await recorder.count();
    for (const raw of [
      '{"path": "/x",}',
      '{"path": ',
      "{'path': 1}",
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    ]) {
      const reply = await recorder.call('POST', '/v1/queues/emails/tasks', { raw });
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('invalid_json');
    }
  });

  it('refuses a batch whose one bad task is named by index, writing none of it', async () => {
    before = await recorder.count();
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks/batch', {
      body: { tasks: [{}, { headers: { host: 'x' } }] },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      { path: 'tasks.1.headers.host', message: expect.stringContaining('cannot be set') },
    ]);
  });

  it('refuses NUL in any query parameter with 400 naming it (PostgreSQL cannot hold it)', async () => {
    before = await recorder.count();
    for (const [path, parameter] of [
      ['/v1/tasks?search=%00', 'search'],
      ['/v1/tasks?path=%00', 'path'],
      ['/v1/tasks?path=/a%00b&state=failed', 'path'],
      ['/v1/tasks?queue=emails%00', 'queue'],
      ['/v1/tasks?since=%00', 'since'],
      ['/v1/queues/emails/tasks?cursor=%00', 'cursor'],
      ['/v1/tasks?search=a&search=%00', 'search'],
    ]) {
      const reply = await recorder.call('GET', path);
      expect(reply.status, path).toBe(400);
      expect(reply.body.code, path).toBe('validation_failed');
      expect(reply.body.errors, path).toEqual([{ path: parameter, message: 'NUL characters are not allowed' }]);
    }
    const retry = await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'failed', search: 'a\u0000' } });
    expect(retry.status).toBe(400);
    expect(retry.body.errors).toEqual([{ path: 'search', message: 'NUL characters are not allowed' }]);
  });

  it('refuses limit=1e9 and a tampered cursor', async () => {
    before = await recorder.count();
    const good =
      (await recorder.call('GET', '/v1/queues/emails/tasks?limit=1')).body.nextCursor ??
      Buffer.from('v1:x').toString('base64url');
    for (const query of ['limit=1e9', `cursor=${good.slice(0, -2)}zz`, 'cursor=%00']) {
      const reply = await recorder.call('GET', `/v1/queues/emails/tasks?${query}`);
      expect(reply.status, query).toBe(400);
    }
  });
});
