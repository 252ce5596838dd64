/**
 * Spec 4.13: the limits on the JSON text itself (depth, duplicate keys, NUL, unpaired surrogates,
 * `__proto__`, numbers that would not reach the target exactly). These need raw request text,
 * since a JSON writer cannot produce most of them. Every refusal is a 400 that writes nothing.
 */
import { expectEqual, expectProblem, expectStatus } from '../assert.js';
import type { KitContext } from '../kit.js';
import {
  expectFieldProblem,
  expectKeyFree,
  expectRawCreateRefused,
  later,
  recorderCase,
  tasksPath,
} from './recorder-support.js';

/** A create request whose `body` member is the given raw JSON text. */
function withBody(key: string, bodyText: string): string {
  return `{"delay":"${later.delay}","key":${JSON.stringify(key)},"body":${bodyText}}`;
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

async function expectRawAccepted(kit: KitContext, rawBody: string, what: string): Promise<any> {
  const res = await kit.api.request('POST', tasksPath(kit.names.queue), { rawBody, token: kit.tokens.enqueue });
  expectStatus(res, 201, what);
  return res.json;
}

export const jsonLimitCases = [
  recorderCase('4.13 JSON nested 64 levels is accepted, 65 and 10,000 refused', 'MUST', async (kit) => {
    // The request object is level 1, so a body of 63 nested arrays makes 64 levels.
    await expectRawAccepted(kit, withBody(kit.unique('d64'), nested(63)), '64 levels');
    for (const depth of [64, 9999]) {
      const key = kit.unique('deep');
      await expectRawCreateRefused(kit, kit.names.queue, withBody(key, nested(depth)), key, `${depth + 1} levels`);
    }
    // The process keeps serving after the deep document (4.13).
    expectStatus(await kit.api.request('GET', '/healthz', { token: null }), 200, 'GET /healthz after it');
  }),

  recorderCase('4.13 a key given twice is 400 naming it, escapes decoded', 'MUST', async (kit) => {
    let key = kit.unique('dup');
    await expectRawCreateRefused(
      kit,
      kit.names.queue,
      `{"key":${JSON.stringify(key)},"delay":"1d","delay":"2d"}`,
      key,
      'top-level "delay" twice',
      'delay',
    );
    key = kit.unique('dup');
    await expectRawCreateRefused(
      kit,
      kit.names.queue,
      `{"key":${JSON.stringify(key)},"delay":"1d","del\\u0061y":"2d"}`,
      key,
      '"delay" and "del\\u0061y"',
      'delay',
    );
    key = kit.unique('dup');
    await expectRawCreateRefused(
      kit,
      kit.names.queue,
      withBody(key, '{"a":1,"b":{"c":1,"c":2}}'),
      key,
      'body.b.c twice',
      'body.b.c',
    );
  }),

  recorderCase('4.13 NUL characters are refused in strings, keys and query parameters', 'MUST', async (kit) => {
    let key = kit.unique('nul');
    await expectRawCreateRefused(kit, kit.names.queue, withBody(key, '{"a":"x\\u0000y"}'), key, 'NUL in a body string');
    key = kit.unique('nul');
    await expectRawCreateRefused(kit, kit.names.queue, withBody(key, '{"a\\u0000":1}'), key, 'NUL in a body key');
    key = kit.unique('nul');
    await expectRawCreateRefused(
      kit,
      kit.names.queue,
      `{"key":${JSON.stringify(key)},"delay":"1d","path":"/a\\u0000"}`,
      key,
      'NUL in path',
    );
    const search = await kit.api.request('GET', '/v1/tasks?search=%00');
    expectFieldProblem(search, 400, 'validation_failed', 'search', 'GET /v1/tasks?search=%00');
  }),

  recorderCase('4.13 unpaired surrogates are refused, a pair is accepted', 'MUST', async (kit) => {
    const key = kit.unique('sur');
    await expectRawCreateRefused(kit, kit.names.queue, withBody(key, '{"a":"\\ud800"}'), key, 'an unpaired surrogate');
    const task = await expectRawAccepted(
      kit,
      withBody(kit.unique('pair'), '{"a":"\\ud83d\\ude00"}'),
      'a surrogate pair',
    );
    expectEqual(task.body?.a, '\u{1F600}', 'the pair reads back as one character');
  }),

  recorderCase('4.13 a __proto__ key anywhere is refused', 'MUST', async (kit) => {
    const key = kit.unique('proto');
    await expectRawCreateRefused(kit, kit.names.queue, withBody(key, '{"a":{"__proto__":{"x":1}}}'), key, '__proto__');
  }),

  recorderCase('4.13 a number that would not reach the target exactly is 400 naming it', 'MUST', async (kit) => {
    for (const number of ['1e400', '1e-400', '9007199254740993', '0.1000000000000000055511']) {
      const key = kit.unique('num');
      await expectRawCreateRefused(
        kit,
        kit.names.queue,
        withBody(key, `{"n":${number}}`),
        key,
        `body.n = ${number}`,
        'body.n',
      );
    }
    const key = kit.unique('num');
    await expectRawCreateRefused(
      kit,
      kit.names.queue,
      `{"key":${JSON.stringify(key)},"delay":"1d","priority":1e400}`,
      key,
      'priority 1e400 (outside body too)',
      'priority',
    );
    for (const number of ['0.1', '1.0', '1E2', '-0', '9007199254740992', '1e300']) {
      await expectRawAccepted(kit, withBody(kit.unique('ok'), `{"n":${number}}`), `body.n = ${number}`);
    }
  }),

  recorderCase('4.12 a body that is not JSON is 400 invalid_json and writes nothing', 'MUST', async (kit) => {
    const key = kit.unique('bad');
    const res = await kit.api.request('POST', tasksPath(kit.names.queue), {
      rawBody: `{"key":${JSON.stringify(key)},"delay":"1d",`,
    });
    expectProblem(res, 400, 'invalid_json');
    await expectKeyFree(kit, kit.names.queue, key, 'a truncated JSON body');
    const empty = await kit.api.request('POST', tasksPath(kit.names.queue), { rawBody: '' });
    expectProblem(empty, 400, 'invalid_json');
  }),
];
