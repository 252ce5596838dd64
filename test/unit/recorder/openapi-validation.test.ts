import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { QUEUE_NAME } from '../../../src/rules/task-fields.js';
import { OPENAPI_FILE } from '../../../src/recorder/openapi-file.js';
import { listQuerySchema } from '../../../src/recorder/schemas/query.schema.js';
import { bulkRetryBodySchema, taskSearchQuerySchema } from '../../../src/recorder/schemas/search.schema.js';
import { batchInputSchema, taskInputSchema } from '../../../src/recorder/schemas/task-input.schema.js';

/**
 * The committed document says what the recorder enforces: requests the recorder's own validating
 * schemas accept, the document's JSON Schema accepts, and the ones they refuse, it refuses.
 * ajv is already in node_modules (a dependency of a dependency) and is not installed for this.
 * The few rules a schema cannot state (a duration string's magnitude) are listed as such below.
 */
// ajv's CommonJS default export, as NodeNext sees it.
const Ajv2020 = ((Ajv2020Module as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

type Json = Record<string, any>;
const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Json;
// Strict, so an unknown keyword fails here; but `required` inside `not`/`anyOf` names properties
// declared beside it, which strictRequired (a lint, not JSON Schema) would refuse.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);

const bodyOf = (path: string, method = 'post') =>
  doc.paths[path][method].requestBody.content['application/json'].schema;
const parameter = (path: string, name: string, method = 'get') =>
  (doc.paths[path][method].parameters as Json[]).find((p) => p.name === name)!.schema;

/** Both verdicts on each input, so a disagreement names the input and who accepted it. */
function verdicts(schema: Json, validating: z.ZodType, inputs: unknown[]) {
  const validate = ajv.compile(schema);
  return inputs.map((input) => ({
    input: JSON.stringify(input).slice(0, 120),
    recorder: validating.safeParse(input).success,
    document: validate(input),
  }));
}

const RULES = { target: 'https://example.com/tasks', leaseMs: 120_000, now: () => Date.UTC(2030, 0, 1) };

describe('the document', () => {
  it('holds only schemas a strict JSON Schema 2020-12 validator compiles', () => {
    // Responses point at #/components/schemas; the same components, added once, resolve them here.
    const toComponents = (schema: unknown): Json =>
      JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', 'components#/$defs/'));
    ajv.addSchema({ $id: 'components', $defs: toComponents(doc.components.schemas) });
    let compiled = 0;
    for (const operations of Object.values(doc.paths) as Json[])
      for (const operation of Object.values(operations) as Json[]) {
        const schemas = [
          ...((operation.parameters ?? []) as Json[]).map((p) => p.schema),
          ...Object.values(operation.requestBody?.content ?? {}).map((c: any) => c.schema),
          ...Object.values(operation.responses as Json).flatMap((r: any) =>
            Object.values(r.content ?? {}).map((c: any) => c.schema),
          ),
        ];
        for (const schema of schemas) {
          expect(() => ajv.compile(toComponents(schema)), operation.operationId).not.toThrow();
          compiled++;
        }
      }
    expect(compiled).toBeGreaterThan(100);
  });
});

describe('the document and the recorder agree', () => {
  it('on a create body', () => {
    const accepted = [
      {},
      { body: { a: 1 } },
      { body: 42 },
      { body: 'text' },
      { body: [1, 2] },
      { body: null, method: 'GET' },
      { bodyBase64: 'aGk=', contentType: 'text/plain; charset=utf-8' },
      { body: {}, contentType: 'Application/VND.api+JSON; charset=utf-8' },
      { runAt: '2030-01-02T00:00:00Z', priority: 0, maxAttempts: 1000 },
      { delay: '10m', timeout: 30, headers: { 'x-trace': 'abc', Accept: 'application/json' } },
      { key: 'k', keyMode: 'debounce', keyMaxWait: '1h', keyRetention: 600 },
      { retry: { maxRetryDuration: '1h', options: {} }, onComplete: { queue: 'reports', path: '/done' } },
    ];
    const refused = [
      { unknown: 1 },
      { body: 1, bodyBase64: 'aGk=' },
      { bodyBase64: 'not base64!' },
      { method: 'GET', body: { a: 1 } },
      { method: 'HEAD', bodyBase64: 'aGk=' },
      { body: {}, contentType: 'text/plain' },
      { runAt: 'tomorrow' },
      { runAt: '2030-01-02T00:00:00Z', delay: '1m' },
      { delay: 'ten minutes' },
      // Spaces and tabs only around a duration (spec 12.2), as the recorder reads it.
      { delay: '10\u00a0s' },
      { delay: '10s\n' },
      { delay: '\ufeff10s' },
      { delay: -1 },
      { delay: 40_000_000 },
      { timeout: 0 },
      { headers: { 'bad name': 'x' } },
      { headers: { 'x-a': 'a'.repeat(8193) } },
      { headers: { 'x-a': 'line\nbreak' } },
      { headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-h${i}`, 'v'])) },
      { key: '' },
      { key: 'k'.repeat(256) },
      { keyMode: 'keep' },
      { key: 'k', keyMaxWait: '1h' },
      { key: 'k', keyRetention: 0 },
      { priority: 10 },
      { priority: 1.5 },
      { maxAttempts: 0 },
      { maxAttempts: 1001 },
      { path: 'x'.repeat(2049) },
      { retry: { maxAttempts: 3 } },
      { onComplete: { queue: 'bad name' } },
      { onComplete: { queue: 'reports', extra: 1 } },
    ];
    const results = verdicts(bodyOf('/v1/queues/{queue}/tasks'), taskInputSchema(RULES), [...accepted, ...refused]);
    expect(results.filter((r) => r.recorder !== r.document)).toEqual([]);
    expect(results.map((r) => r.recorder)).toEqual([...accepted.map(() => true), ...refused.map(() => false)]);
  });

  it('on a batch: 1 to 1,000 tasks, each a create body', () => {
    const task = { body: { n: 1 } };
    const inputs = [
      { tasks: [task] },
      { tasks: Array.from({ length: 1000 }, () => task) },
      { tasks: [] },
      { tasks: Array.from({ length: 1001 }, () => task) },
      { tasks: [{ body: 1, bodyBase64: 'aGk=' }] },
    ];
    const results = verdicts(bodyOf('/v1/queues/{queue}/tasks/batch'), batchInputSchema(RULES), inputs);
    expect(results.map((r) => [r.recorder, r.document])).toEqual([
      [true, true],
      [true, true],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });

  it('on a bulk retry body: a state or ids, ids being UUIDs', () => {
    const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    const inputs = [
      { state: 'failed' },
      { ids: [id.toUpperCase()] },
      { state: ['failed', 'cancelled'], since: '2030-01-01T00:00:00+01:00' },
      { dryRun: true },
      { ids: ['not-a-uuid'] },
      { state: 'running' },
      { state: 'failed', since: 'yesterday' },
    ];
    const results = verdicts(bodyOf('/v1/tasks/retry'), bulkRetryBodySchema, inputs);
    expect(results.filter((r) => r.recorder !== r.document)).toEqual([]);
    expect(results.map((r) => r.recorder)).toEqual([true, true, true, false, false, false, false]);
  });

  it('on query parameters: limit, cursor, state and times', () => {
    const limit = ajv.compile(parameter('/v1/queues/{queue}/tasks', 'limit'));
    for (const value of ['1', '0100', '1000', '0', '1001', '10000', '1e3', '-1', ' 5'])
      expect(limit(value), `limit=${value}`).toBe(listQuerySchema.safeParse({ limit: value }).success);
    const state = ajv.compile(parameter('/v1/tasks', 'state'));
    for (const value of ['failed', 'failed, cancelled', 'failed,', 'done'])
      expect(state(value), `state=${value}`).toBe(taskSearchQuerySchema.safeParse({ state: value }).success);
    const since = ajv.compile(parameter('/v1/tasks', 'since'));
    for (const value of [
      '2030-01-01T00:00:00Z',
      '2030-01-01t00:00:00.5+02:00',
      '2030-01-01',
      '2030-02-30T00:00:00Z',
      '2030-01-01T00:00:00.1234567890Z',
    ])
      expect(since(value), `since=${value}`).toBe(taskSearchQuerySchema.safeParse({ since: value }).success);
    const cursor = ajv.compile(parameter('/v1/queues/{queue}/tasks', 'cursor'));
    expect([cursor('djE6MDE5MGExYjI'), cursor(''), cursor('a+b/c='), cursor('a'.repeat(201))]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('on path parameters and the Idempotency-Key header', () => {
    const queue = ajv.compile(parameter('/v1/queues/{queue}/tasks', 'queue'));
    for (const name of ['reports', 'a.b_c-1', '-x', 'has space', 'q'.repeat(64), 'q'.repeat(65)])
      expect(queue(name), name).toBe(QUEUE_NAME.test(name));
    const id = ajv.compile(parameter('/v1/tasks/{id}', 'id'));
    expect([
      id('0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B'),
      id('0190a1b2'),
      id('urn:uuid:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'),
    ]).toEqual([true, false, false]);
    const key = ajv.compile(parameter('/v1/queues/{queue}/tasks', 'Idempotency-Key', 'post'));
    expect([key('order-42'), key(''), key('has space'), key('k'.repeat(256)), key('é')]).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('leaves to the description only what a schema cannot say: a duration string above its limit', () => {
    // The number form carries the limit (seconds); the string form only its grammar.
    const validate = ajv.compile(bodyOf('/v1/queues/{queue}/tasks'));
    expect(validate({ key: 'k', keyRetention: 8 * 86_400 })).toBe(false);
    expect(validate({ key: 'k', keyRetention: '8d' })).toBe(true);
    expect(taskInputSchema(RULES).safeParse({ key: 'k', keyRetention: '8d' }).success).toBe(false);
  });
});
