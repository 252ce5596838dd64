import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cronDefinitionSchema } from '../../../src/cron/cron-definition.js';
import { taskInputSchema } from '../../../src/recorder/schemas/task-input.schema.js';
import { startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * GET /v1/openapi.json is generated from the route table and the zod schemas that validate
 * requests, so it cannot describe an API other than the one served. One database is enough here.
 */
describe('the OpenAPI document', () => {
  let recorder: TestRecorder;
  // Typed loosely: the document is plain JSON and each test reads the part it checks.
  let doc: any;
  beforeAll(async () => {
    recorder = await startTestRecorder('sqlite', { recorder: { tokens: [TOKEN] } }, { defaultToken: TOKEN });
    const reply = await recorder.call('GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    doc = reply.body;
  });
  afterAll(async () => recorder.close());

  it('is OpenAPI 3.1 and lists every route the router serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/' }]);
    for (const route of recorder.server.recorder.routes.filter((r) => r.method !== 'HEAD')) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    const operations = Object.values(doc.paths).flatMap((methods: any) => Object.values(methods)) as any[];
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
  });

  it('describes the create body exactly as the validating schema does', () => {
    const body = doc.paths['/v1/queues/{queue}/tasks'].post.requestBody.content['application/json'].schema;
    const validating = z.toJSONSchema(taskInputSchema({ target: 'https://x/y', leaseMs: 1, now: Date.now }), {
      io: 'input',
      unrepresentable: 'any',
    });
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(validating.properties ?? {}).sort());
    expect(body.additionalProperties).toBe(false); // unknown fields are refused, and the document says so
    expect(body.properties.maxAttempts).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(body.properties.method.enum).toContain('POST');
    const batch = doc.paths['/v1/queues/{queue}/tasks/batch'].post.requestBody.content['application/json'].schema;
    expect(batch.properties.tasks).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
  });

  it('documents responses, problems, auth and the Idempotency-Key header', () => {
    const create = doc.paths['/v1/queues/{queue}/tasks'].post;
    expect(create.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Task' });
    expect(create.responses['400'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(create.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['queue', 'Idempotency-Key', 'traceparent']),
    );
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.components.schemas.Task.required).toEqual(
      expect.arrayContaining(['id', 'queue', 'state', 'runAt', 'attempt', 'createdAt']),
    );
    expect(doc.components.schemas.Problem.required).toEqual(['code', 'title', 'status', 'detail', 'errors']);
    const list = doc.paths['/v1/queues/{queue}/tasks'].get.parameters.map(
      (p: { name: string; in: string }) => `${p.in}:${p.name}`,
    );
    expect(list).toEqual(['path:queue', 'query:state', 'query:limit', 'query:cursor', 'query:view']);
    // GET /v1/tasks/{id} documents its one query parameter (others are refused, spec 4.1).
    expect(
      doc.paths['/v1/tasks/{id}'].get.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`),
    ).toEqual(['path:id', 'query:view']);
  });

  it('describes the cron routes: the definition as the PUT body, and the entry and run resources', () => {
    const put = doc.paths['/v1/cron/{name}'].put;
    const body = put.requestBody.content['application/json'].schema;
    const validating = z.toJSONSchema(cronDefinitionSchema, { io: 'input', unrepresentable: 'any' });
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(validating.properties ?? {}).sort());
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['queue', 'schedule']);
    expect(put['x-dispatchr-permission']).toBe('admin');
    expect(put.parameters).toEqual([
      { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'A cron entry name.' },
    ]);
    for (const status of ['200', '201'])
      expect(put.responses[status].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/CronEntry',
      });
    expect(Object.keys(put.responses).sort()).toEqual(['200', '201', '400', '401', '403', '409', '413', '415', '503']);
    expect(doc.paths['/v1/cron'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CronEntryList',
    });
    const runs = doc.paths['/v1/cron/{name}/runs'].get;
    expect(runs.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:name',
      'query:limit',
    ]);
    expect(runs['x-dispatchr-permission']).toBe('read');
    expect(doc.components.schemas.CronEntry.required).toEqual(
      expect.arrayContaining(['name', 'source', 'status', 'queue', 'schedule', 'timezone', 'nextFireTimes']),
    );
    expect(doc.components.schemas.CronRunList.properties.runs.items.required).toEqual(
      expect.arrayContaining(['fireAt', 'kind', 'outcome', 'taskId']),
    );
  });
});
