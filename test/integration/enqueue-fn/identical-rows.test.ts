import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWithin, type TaskInput } from '../../../src/client/index.js';
import { fixedClock } from '../../../src/clock.js';
import { postgresAvailable } from '../../support/postgres.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';
import { schemaClients, schemaOf, sqlEnqueue, type SchemaClients } from './support.js';

/**
 * One task, three writers: a real recorder over HTTP, enqueueWithin in a pg transaction, and
 * dispatchr_enqueue() called directly. Each writes to its own queue (so their keys never meet),
 * and the rows must be equal column for column, but for the id, the queue and the creation time;
 * times relative to creation are compared as offsets from it. The JSON texts are the bytes each
 * writer receives: members out of order and spaces, which only the canonical form makes equal.
 * The recorder runs on a clock set to the wall time before each request: it reads its clock once
 * for the due time and again for created_at, and a clock that moved between them would shift
 * run_at - created_at by those milliseconds (the other two take both from one now()).
 */
const RETRY = { strategy: 'exponential', options: { initialDelay: '1s', maxDelay: '5m' }, maxRetryDuration: '1h' };
const queue = (defaultPriority: number) => ({
  target: 'http://127.0.0.1:9/t',
  allowPrivateNetwork: true,
  defaultPriority,
  retry: RETRY,
});
const SOURCES = ['rec', 'within', 'sql'] as const;
const RUN_AT = new Date(Date.now() + 3 * 3_600_000).toISOString().replace('Z', '+00:00');

const CASES: Record<string, string> = {
  'a JSON body out of order, headers, a path with a query, a delay and the rest': `{
    "path": "reports/daily?b=2&a=1", "method": "PUT",
    "headers": { "X-Tenant": "acme", "x-Trace-Note": "a b" },
    "body": { "zeta": [3, 2.50, -0.0, 1e21, 1E-7, "é\\u00e9\\n"], "alpha": { "y": null, "x": true }, "émoji": "😀", "\\u0041": 1 },
    "delay": "90s", "priority": 7, "maxAttempts": 5, "timeout": "20s",
    "retry": { "options": { "maxDelay": "1m", "initialDelay": "100ms", "factor": 3 }, "maxRetryDuration": "10m" },
    "onComplete": { "queue": "done", "path": "ok?x=1" }, "onFailure": { "queue": "done" }
  }`,
  'bodyBase64 with its own content type, due at a time': `{
    "bodyBase64": "AAEC/w==", "contentType": "text/plain; charset=\\"utf-8\\"", "runAt": "${RUN_AT}"
  }`,
  'bodyBase64 of JSON with a JSON content type (searchable copy)': `{
    "bodyBase64": "eyJiIjogMSwgImEiOiAyfQ==", "contentType": "application/merge-patch+json"
  }`,
  "priority from the queue's stored default, a bare-number delay": `{ "path": "/p", "delay": 30, "body": [] }`,
  'key, keep, with keyRetention': `{ "key": "k-keep", "keyMode": "keep", "keyRetention": "10m", "body": "s" }`,
  'key, replace': `{ "key": "k-replace", "keyMode": "replace", "delay": "1h", "body": { "n": 1 } }`,
  'key, debounce with keyMaxWait': `{ "key": "k-debounce", "keyMode": "debounce", "keyMaxWait": "2h", "delay": "5m" }`,
  'a GET without body, method and path only': `{ "method": "GET", "path": "/" }`,
};

describe.runIf(postgresAvailable())('the recorder, enqueueWithin and dispatchr_enqueue() store identical rows', () => {
  let recorder: TestRecorder;
  let clients: SchemaClients;
  let client: pg.Client;
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    recorder = await startTestRecorder(
      'postgresql',
      { queues: { rec: queue(4), within: queue(4), sql: queue(4), done: queue(0) } },
      { clock },
    );
    clients = schemaClients(schemaOf(recorder.config.database.url));
    client = await clients.client();
  });
  afterAll(async () => {
    await clients?.close();
    await recorder?.close();
  });

  /** The task's row, id and queue aside, its relative times as offsets from created_at. */
  async function rowOf(id: string, absoluteRunAt: boolean): Promise<Record<string, unknown>> {
    const { rows } = await client.query(
      `select t.*, extract(epoch from (t.run_at - t.created_at)) * 1000 as run_at_offset_ms,
         extract(epoch from (t.key_deadline - t.created_at)) * 1000 as key_deadline_offset_ms,
         encode(t.body, 'base64') as body_base64
       from dispatchr_task t where t.id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    const {
      id: _id,
      queue: _queue,
      created_at: _c,
      updated_at: _u,
      run_at: runAt,
      key_deadline: _k,
      body: _b,
      ...rest
    } = rows[0];
    return {
      ...rest,
      run_at_offset_ms: absoluteRunAt ? null : Number(rest.run_at_offset_ms),
      run_at: absoluteRunAt ? new Date(runAt).toISOString() : null,
      key_deadline_offset_ms: rest.key_deadline_offset_ms === null ? null : Number(rest.key_deadline_offset_ms),
    };
  }

  async function create(source: (typeof SOURCES)[number], json: string): Promise<string> {
    if (source === 'rec') {
      clock.set(new Date());
      const reply = await recorder.call('POST', '/v1/queues/rec/tasks', { raw: json });
      expect(reply.status, reply.text).toBe(201);
      return reply.body.id as string;
    }
    if (source === 'within') {
      await client.query('begin');
      const { id } = await enqueueWithin(client, 'within', JSON.parse(json) as TaskInput);
      await client.query('commit');
      return id;
    }
    const [row] = await sqlEnqueue(client, 'sql', `[${json}]`);
    expect(row).toMatchObject({ index: 0, deduplicated: null });
    return row.id;
  }

  it.each(Object.entries(CASES))('%s', async (_name, json) => {
    const ids: string[] = [];
    for (const source of SOURCES) {
      ids.push(await create(source, json));
      // The recorder stores the queues' default priorities as it opens its stores (its first request).
      if (source === 'rec')
        await expect
          .poll(async () => (await client.query('select count(*)::int as n from dispatchr_queue_state')).rows[0].n)
          .toBeGreaterThanOrEqual(4);
    }
    const absolute = json.includes('"runAt"');
    const [recorded, within, sql] = [
      await rowOf(ids[0], absolute),
      await rowOf(ids[1], absolute),
      await rowOf(ids[2], absolute),
    ];
    expect(within).toEqual(recorded);
    expect(sql).toEqual(recorded);
  });

  it("traceparent: the recorder's request header and the SQL field store the same column", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    clock.set(new Date());
    const reply = await recorder.call('POST', '/v1/queues/rec/tasks', {
      raw: '{"path": "/t"}',
      headers: { traceparent },
    });
    expect(reply.status, reply.text).toBe(201);
    const [row] = await sqlEnqueue(client, 'sql', `[{"path": "/t", "traceparent": "${traceparent}"}]`);
    const recorded = await rowOf(reply.body.id as string, false);
    expect(recorded.traceparent).toBe(traceparent);
    expect(await rowOf(row.id, false)).toEqual(recorded);
  });

  it('every case stored what it meant (the comparison above is not of empty rows)', async () => {
    const { rows } = await client.query(
      `select priority, body, body_json, retry, on_complete, key_mode, key_retention_ms
       from dispatchr_task where queue = 'sql' and traceparent is null order by created_at`,
    );
    expect(rows).toHaveLength(Object.keys(CASES).length);
    expect(rows[1].body).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(rows[0].body.toString('utf8')).toBe(
      '{"A":1,"alpha":{"x":true,"y":null},"zeta":[3,2.5,0,1e+21,1e-7,"éé\\n"],"émoji":"😀"}',
    );
    expect(rows[0]).toMatchObject({
      priority: 7,
      retry: '{"maxRetryDurationMs":600000,"options":{"maxDelay":"1m","initialDelay":"100ms","factor":3}}',
      on_complete: '{"queue":"done","path":"/ok?x=1"}',
    });
    expect(rows[2].body_json).toEqual({ a: 2, b: 1 });
    expect(rows[3].priority).toBe(4);
    expect(rows[4]).toMatchObject({ key_mode: null, key_retention_ms: 600_000 });
    expect(rows[5].key_mode).toBe('replace');
  });
});
