/**
 * Spec 4.4, 4.5, 4.6 and 11.1: each field's limits, probed on both sides of the boundary. Every
 * refusal must be `400 validation_failed` naming the field in `errors[].path`, and write nothing
 * (the refused create's key stays free). Accepted tasks are due in a day, so no request is sent.
 */
import { expectEqual, expectStatus } from '../assert.js';
import type { KitContext } from '../kit.js';
import { expectCreateRefused, later, recorderCase, tasksPath } from './recorder-support.js';

const DAY_MS = 86_400_000;
const YEAR_S = 31_622_400; // 366 days (4.4)

async function expectAccepted(kit: KitContext, task: Record<string, unknown>, what: string): Promise<any> {
  const res = await kit.api.request('POST', tasksPath(kit.names.queue), { body: task, token: kit.tokens.enqueue });
  expectStatus(res, 201, what);
  return res.json;
}

function headersOf(count: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < count; i++) headers[`x-kit-${i}`] = 'v';
  return headers;
}

export const validationCases = [
  recorderCase('4.4 path: 2,048 characters are accepted, 2,049 refused', 'MUST', async (kit) => {
    const task = await expectAccepted(kit, { ...later, path: `/${'a'.repeat(2047)}` }, 'a 2,048-character path');
    expectEqual(task.path.length, 2048, 'the stored path length');
    await expectCreateRefused(kit, kit.names.queue, { ...later, path: `/${'a'.repeat(2048)}` }, 'path', '2,049 chars');
  }),

  recorderCase('4.5 paths that could leave the target are refused', 'MUST', async (kit) => {
    for (const path of ['/a/../b', '/a/%2e%2e/b', '/a\\b', '/a#f', '//evil.example/x', '/a b', '/a/..;x/b', '/%zz']) {
      await expectCreateRefused(kit, kit.names.queue, { ...later, path }, 'path', `path ${JSON.stringify(path)}`);
    }
  }),

  recorderCase('4.4 key: 255 characters are accepted, 256 and the empty key refused', 'MUST', async (kit) => {
    const key = kit.unique('k').padEnd(255, 'k');
    const task = await expectAccepted(kit, { ...later, key }, 'a 255-character key');
    expectEqual(task.key, key, 'the stored key');
    await expectCreateRefused(kit, kit.names.queue, { ...later, key: `${key}k` }, 'key', 'a 256-character key');
    await expectCreateRefused(kit, kit.names.queue, { ...later, key: '' }, 'key', 'an empty key');
  }),

  recorderCase('4.6 headers: 64 are accepted, 65 refused', 'MUST', async (kit) => {
    await expectAccepted(kit, { ...later, headers: headersOf(64) }, '64 headers');
    await expectCreateRefused(kit, kit.names.queue, { ...later, headers: headersOf(65) }, 'headers', '65 headers');
  }),

  recorderCase('4.6 a header value of 8,192 characters is accepted, 8,193 refused', 'MUST', async (kit) => {
    await expectAccepted(kit, { ...later, headers: { 'x-big': 'v'.repeat(8192) } }, 'an 8,192-character value');
    await expectCreateRefused(
      kit,
      kit.names.queue,
      { ...later, headers: { 'x-big': 'v'.repeat(8193) } },
      'headers.x-big',
      'an 8,193-character value',
    );
  }),

  recorderCase('4.6 reserved, hop-by-hop and routing headers are refused naming them', 'MUST', async (kit) => {
    for (const name of ['connection', 'host', 'content-type', 'dispatchr-queue', 'webhook-id', 'x-forwarded-for']) {
      await expectCreateRefused(kit, kit.names.queue, { ...later, headers: { [name]: 'x' } }, `headers.${name}`, name);
    }
    await expectCreateRefused(
      kit,
      kit.names.queue,
      { ...later, headers: { Webhook_Id: 'x' } },
      ['headers.Webhook_Id', 'headers.webhook_id'],
      'Webhook_Id (underscore read as dash)',
    );
    await expectCreateRefused(kit, kit.names.queue, { ...later, headers: { 'x-a': 'a\r\nb' } }, 'headers.x-a', 'CRLF');
  }),

  recorderCase('4.4 runAt: up to one year (366 days) ahead is accepted, beyond refused', 'MUST', async (kit) => {
    // An hour of slack either side, for the clocks of the kit and the implementation.
    const inside = new Date(Date.now() + 366 * DAY_MS - 3_600_000).toISOString();
    const outside = new Date(Date.now() + 366 * DAY_MS + 3_600_000).toISOString();
    const task = await expectAccepted(kit, { runAt: inside }, 'runAt 366 days ahead less an hour');
    expectEqual(task.state, 'scheduled', 'its state');
    await expectCreateRefused(kit, kit.names.queue, { runAt: outside }, 'runAt', 'runAt 366 days and an hour ahead');
    await expectCreateRefused(kit, kit.names.queue, { runAt: 'tomorrow' }, 'runAt', 'runAt "tomorrow"');
    await expectCreateRefused(kit, kit.names.queue, { runAt: inside, delay: '1s' }, ['runAt', 'delay'], 'both');
    const past = await expectAccepted(kit, { runAt: '2000-01-01T00:00:00Z', path: `/${kit.unique('past')}` }, 'past');
    expectEqual(past.state, 'available', 'a task whose runAt is past is due now');
  }),

  recorderCase('4.4 delay: at most 366 days, written with a unit or as seconds', 'MUST', async (kit) => {
    await expectAccepted(kit, { delay: '366d' }, 'delay "366d"');
    await expectAccepted(kit, { delay: YEAR_S }, `delay ${YEAR_S} (bare seconds)`);
    await expectCreateRefused(kit, kit.names.queue, { delay: '367d' }, 'delay', 'delay "367d"');
    await expectCreateRefused(kit, kit.names.queue, { delay: YEAR_S + 1 }, 'delay', `delay ${YEAR_S + 1}`);
  }),

  recorderCase('4.1 malformed durations are refused naming the field', 'MUST', async (kit) => {
    for (const delay of ['10x', '1.5.5s', '', '-5s', 'ms', '5y', true]) {
      await expectCreateRefused(kit, kit.names.queue, { delay }, 'delay', `delay ${JSON.stringify(delay)}`);
    }
    await expectCreateRefused(kit, kit.names.queue, { ...later, timeout: 'soon' }, 'timeout', 'timeout "soon"');
    await expectCreateRefused(kit, kit.names.queue, { ...later, timeout: '0s' }, 'timeout', 'timeout "0s"');
    // The kit's lease is 6 s and a timeout must be at least 2 s shorter (4.4).
    await expectCreateRefused(kit, kit.names.queue, { ...later, timeout: '1h' }, 'timeout', 'timeout over the lease');
  }),

  recorderCase('11.1 priority: integers 0 to 9 are accepted, anything else refused', 'MUST', async (kit) => {
    for (const priority of [0, 9]) {
      const task = await expectAccepted(kit, { ...later, priority }, `priority ${priority}`);
      expectEqual(task.priority, priority, 'the stored priority');
    }
    for (const priority of [-1, 10, 1.5, '3', null, true]) {
      await expectCreateRefused(
        kit,
        kit.names.queue,
        { ...later, priority },
        'priority',
        `priority ${JSON.stringify(priority)}`,
      );
    }
  }),

  recorderCase('4.4 maxAttempts: integers from 1 are accepted, 0 and over 1,000 refused', 'MUST', async (kit) => {
    const task = await expectAccepted(kit, { ...later, maxAttempts: 1 }, 'maxAttempts 1');
    expectEqual(task.maxAttempts, 1, 'the stored maxAttempts');
    expectEqual(task.effective?.maxAttempts, 1, 'effective.maxAttempts');
    // The kit's queues set no taskLimits: the cap is the default, 100 (4.4 "Per-task limits").
    await expectAccepted(kit, { ...later, maxAttempts: 100 }, 'maxAttempts 100 (the default cap)');
    for (const maxAttempts of [0, 101, 1001, 2.5, '3'])
      await expectCreateRefused(
        kit,
        kit.names.queue,
        { ...later, maxAttempts },
        'maxAttempts',
        `maxAttempts ${maxAttempts}`,
      );
  }),

  recorderCase(
    '4.4 method and body rules: one of the methods, no body on GET, not body with bodyBase64',
    'MUST',
    async (kit) => {
      await expectCreateRefused(kit, kit.names.queue, { ...later, method: 'post' }, 'method', 'method "post"');
      await expectCreateRefused(kit, kit.names.queue, { ...later, method: 'TRACE' }, 'method', 'method TRACE');
      await expectCreateRefused(
        kit,
        kit.names.queue,
        { ...later, method: 'GET', body: { a: 1 } },
        ['body', 'method'],
        'GET + body',
      );
      await expectCreateRefused(
        kit,
        kit.names.queue,
        { ...later, body: { a: 1 }, bodyBase64: 'AQID' },
        ['body', 'bodyBase64'],
        'body and bodyBase64 together',
      );
      await expectCreateRefused(
        kit,
        kit.names.queue,
        { ...later, bodyBase64: 'not base64!' },
        'bodyBase64',
        'bad base64',
      );
      await expectCreateRefused(
        kit,
        kit.names.queue,
        { ...later, body: 1, contentType: 'text/plain' },
        'contentType',
        'body as text/plain',
      );
      const get = await expectAccepted(kit, { ...later, method: 'GET' }, 'a GET without a body');
      expectEqual(get.method, 'GET', 'the stored method');
    },
  ),

  recorderCase('11.2 key options: each needs a key and stays within its limits', 'MUST', async (kit) => {
    const key = () => kit.unique('mode');
    await expectCreateRefused(
      kit,
      kit.names.queue,
      // `key: undefined` keeps the helper from adding one (so this refusal's write is not checked).
      { ...later, key: undefined, keyMode: 'replace' },
      'keyMode',
      'keyMode without key',
    );
    await expectCreateRefused(
      kit,
      kit.names.queue,
      { ...later, key: key(), keyMode: 'merge' },
      'keyMode',
      'keyMode "merge"',
    );
    await expectCreateRefused(
      kit,
      kit.names.queue,
      { ...later, key: key(), keyMaxWait: '1m' },
      'keyMaxWait',
      'keyMaxWait without debounce',
    );
    await expectCreateRefused(
      kit,
      kit.names.queue,
      { ...later, key: key(), keyRetention: '8d' },
      'keyRetention',
      'keyRetention "8d"',
    );
    const task = await expectAccepted(
      kit,
      { ...later, key: key(), keyMode: 'debounce', keyMaxWait: '1m', keyRetention: '7d' },
      'debounce',
    );
    expectEqual(task.keyMode, 'debounce', 'the stored keyMode');
    expectEqual(task.keyRetentionMs, 604_800_000, 'keyRetentionMs of "7d"');
  }),
];
