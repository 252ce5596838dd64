import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';
import { failureOf, schemaClients, sqlEnqueue, type SchemaClients } from './support.js';

/**
 * dispatchr_enqueue() refuses bad input with SQLSTATE 22023 and `tasks.<i>.<field>: <rule>`, one
 * check group per case, and writes nothing: each call puts a good task before the bad one, whose
 * row must not survive the refusal.
 */
const GOOD = '{"path": "/fine"}';

const CASES: { group: string; queue?: string; tasks: string; field: string; rule?: string }[] = [
  { group: 'an unknown field', tasks: `[${GOOD}, {"pth": "/x"}]`, field: 'tasks.1.pth', rule: 'unknown field' },
  { group: 'a field given twice', tasks: `[${GOOD}, {"path": "/a", "path": "/b"}]`, field: 'tasks.1.path' },
  { group: 'tasks not an array', tasks: `${GOOD}`, field: 'tasks', rule: 'expected an array' },
  { group: 'a task not an object', tasks: `[${GOOD}, "task"]`, field: 'tasks.1', rule: 'expected a task object' },
  {
    group: 'a path of the wrong type',
    tasks: `[${GOOD}, {"path": 5}]`,
    field: 'tasks.1.path',
    rule: 'expected a string',
  },
  { group: 'a priority of the wrong type', tasks: `[${GOOD}, {"priority": "1"}]`, field: 'tasks.1.priority' },
  { group: 'maxAttempts out of range', tasks: `[${GOOD}, {"maxAttempts": 0}]`, field: 'tasks.1.maxAttempts' },
  { group: 'a bad queue name', queue: 'no spaces', tasks: `[${GOOD}]`, field: 'queue' },
  { group: 'a path climbing out', tasks: `[${GOOD}, {"path": "/a/../b"}]`, field: 'tasks.1.path' },
  {
    group: 'an absolute URL path',
    tasks: `[${GOOD}, {"path": "https://example.com/x"}]`,
    field: 'tasks.1.path',
    rule: 'relative',
  },
  { group: 'a bad header name', tasks: `[${GOOD}, {"headers": {"Bad Name": "x"}}]`, field: 'tasks.1.headers.Bad Name' },
  {
    group: 'a header given twice',
    tasks: `[${GOOD}, {"headers": {"X-A": "1", "x-a": "2"}}]`,
    field: 'tasks.1.headers.x-a',
    rule: 'header given twice',
  },
  { group: 'a bad duration', tasks: `[${GOOD}, {"delay": "10 minutes"}]`, field: 'tasks.1.delay' },
  {
    group: 'a duration too long',
    tasks: `[${GOOD}, {"key": "k", "keyRetention": "8d"}]`,
    field: 'tasks.1.keyRetention',
  },
  { group: 'a bad time', tasks: `[${GOOD}, {"runAt": "2025-02-30T12:00:00Z"}]`, field: 'tasks.1.runAt' },
  {
    group: 'runAt and delay together',
    tasks: `[${GOOD}, {"runAt": "2025-01-01T00:00:00Z", "delay": 5}]`,
    field: 'tasks.1.delay',
  },
  { group: 'no tasks', tasks: '[]', field: 'tasks', rule: 'expected an array of 1 to 1000 tasks' },
  {
    group: 'too many tasks',
    tasks: `[${Array.from({ length: 1001 }, () => GOOD).join(',')}]`,
    field: 'tasks',
    rule: 'expected an array of 1 to 1000 tasks',
  },
  {
    group: 'a duplicate key in the body',
    tasks: `[${GOOD}, {"body": {"a": 1, "b": {"c": 1, "c": 2}}}]`,
    field: 'tasks.1.body.b.c',
  },
  { group: 'NUL in a string', tasks: `[${GOOD}, {"path": "/a\\u0000"}]`, field: 'tasks.1', rule: 'NUL' },
  { group: 'a body with a GET', tasks: `[${GOOD}, {"method": "GET", "body": {}}]`, field: 'tasks.1.method' },
  { group: 'body and bodyBase64', tasks: `[${GOOD}, {"body": 1, "bodyBase64": "AA=="}]`, field: 'tasks.1.bodyBase64' },
  { group: 'key options without a key', tasks: `[${GOOD}, {"keyMode": "replace"}]`, field: 'tasks.1.keyMode' },
  {
    group: 'a misplaced retry field',
    tasks: `[${GOOD}, {"retry": {"maxAttempts": 3}}]`,
    field: 'tasks.1.retry.maxAttempts',
  },
  {
    group: 'a callback with an unknown field',
    tasks: `[${GOOD}, {"onComplete": {"queue": "q", "url": "x"}}]`,
    field: 'tasks.1.onComplete.url',
  },
  { group: 'an invalid traceparent', tasks: `[${GOOD}, {"traceparent": "00-00"}]`, field: 'tasks.1.traceparent' },
];

describe.runIf(postgresAvailable())('dispatchr_enqueue() refuses bad input', () => {
  let app: AppDatabase;
  let clients: SchemaClients;
  let client: pg.Client;

  beforeAll(async () => {
    app = await openAppDatabase();
    clients = schemaClients(app.schema);
    client = await clients.client();
  });
  afterAll(async () => {
    await clients?.close();
    await app?.close();
  });

  const count = async () => (await client.query('select count(*)::int as n from dispatchr_task')).rows[0].n as number;

  it.each(CASES)('$group: 22023 naming $field, nothing written', async ({ queue, tasks, field, rule }) => {
    const before = await count();
    const error = await failureOf(sqlEnqueue(client, queue ?? 'jobs', tasks));
    expect(error.code).toBe('22023');
    expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
    if (rule) expect(error.message).toContain(rule);
    expect(await count()).toBe(before);
  });

  it('inside a transaction, a refused call writes nothing, and a savepoint keeps the transaction usable', async () => {
    await client.query('begin');
    await sqlEnqueue(client, 'jobs', `[${GOOD}]`);
    await client.query('savepoint s');
    await expect(sqlEnqueue(client, 'jobs', `[${GOOD}, {"pth": 1}]`)).rejects.toMatchObject({ code: '22023' });
    await client.query('rollback to savepoint s');
    await client.query('commit');
    // Only the call that succeeded wrote: one row, the first call's.
    expect((await client.query(`select count(*)::int as n from dispatchr_task where path = '/fine'`)).rows[0].n).toBe(
      1,
    );
  });

  it('answers its version, and the good input of the cases above is accepted', async () => {
    expect((await client.query('select dispatchr_enqueue_version() as v')).rows[0].v).toBe(1);
    const rows = await sqlEnqueue(client, 'jobs', `[${GOOD}, ${GOOD}]`);
    expect(rows.map((row) => [row.index, row.deduplicated])).toEqual([
      [0, null],
      [1, null],
    ]);
    // One call's ids sort in input order.
    expect(rows[0].id < rows[1].id).toBe(true);
  });
});
