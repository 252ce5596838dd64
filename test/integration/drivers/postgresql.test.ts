import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimableStates, createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { parsePostgresUrl } from '../../../src/db/drivers/postgresql/open.js';
import { buildRetryBatch } from '../../../src/db/drivers/postgresql/task-retry.sql.js';
import { buildCountQuery, buildListQuery } from '../../../src/db/drivers/postgresql/task-search.sql.js';
import type { Orm } from '../../../src/db/orm.js';
import type { TaskFilter } from '../../../src/db/task-filter.sql.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask, seedPlannerTable } from '../../support/storage-fixtures.js';
import { waitFor } from '../../support/target-server.js';

describe.runIf(drivers().includes('postgresql'))('the postgresql driver', () => {
  let testDb: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgresql');
    db = await testDb.openMigrated();
  });
  afterAll(async () => testDb.cleanup());

  it("claims through dispatchr_claim(): the machine's claim sources, under the queue's advisory lock", async () => {
    // Migration 0009 writes the claimable states out (the due-order index needs them literal): a
    // state the machine makes claimable must reach the function through a new migration.
    const [fn] = await db.sql.query<{ src: string }>(
      `select prosrc as src from pg_proc where proname = 'dispatchr_claim'`,
    );
    const written = /d\.state in \(([^)]*)\)/
      .exec(fn.src)?.[1]
      .split(',')
      .map((s) => s.trim())
      .sort();
    expect(written).toEqual(claimableStates().split(',').sort());
    // The function takes the queue's advisory lock first, and reads the queue after it has it: a
    // claim that waited sees the claim it waited for as running, and its count keeps the cap. Here
    // the cap is 1 and another session's claim (not yet committed) holds the lock and the one slot.
    const dispatch = createDispatchRepository(db);
    await createTaskRepository(db).insertTasks([
      newTask({ queue: 'capped' }),
      newTask({ queue: 'capped' }),
      newTask({ queue: 'free' }),
    ]);
    const claimOf = (queue: string) =>
      dispatch.claim({ queue, limit: 5, owner: 'b', now: new Date(), leaseMs: 60_000, maxConcurrent: 1 });
    const within = <T>(promise: Promise<T>, ms: number, what: string) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms),
        ),
      ]);
    let waited: Promise<unknown[]> | undefined;
    await db.sql.transaction(async (tx) => {
      const held = await tx.query(`select id from dispatchr_claim($1, 'a', now() + interval '1 minute', now(), 5, 1)`, [
        'capped',
      ]);
      expect(held).toHaveLength(1);
      waited = claimOf('capped');
      // It waits on the lock (seen by PostgreSQL, not guessed from a sleep); another queue's claim does not.
      await waitFor(
        async () =>
          (
            await db.sql.query(
              `select 1 from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and datname = current_database()`,
            )
          ).length > 0 || undefined,
        5_000,
        'the claim to wait on the queue lock',
      );
      expect(await within(claimOf('free'), 2_000, "another queue's claim")).toHaveLength(1);
    });
    expect(await within(waited!, 2_000, 'the waiting claim')).toHaveLength(0);
  });

  it('runs its sessions without JIT, at READ COMMITTED whatever the defaults, and checking for a gone client', async () => {
    const rows = await db.sql.query<{ name: string; setting: string; source: string }>(
      `select name, setting, source from pg_settings where name in ('jit', 'default_transaction_isolation', 'client_connection_check_interval') order by name`,
    );
    // Set by the connection itself ('client'), so no role or database default can change them.
    expect(rows).toEqual([
      { name: 'client_connection_check_interval', setting: '1000', source: 'client' },
      { name: 'default_transaction_isolation', setting: 'read committed', source: 'client' },
      { name: 'jit', setting: 'off', source: 'client' },
    ]);
  });

  it('answers "due tasks of Q" and every task search with index scans, never a scan of the table', async () => {
    await seedPlannerTable(db);
    const plan = async (query: string, values: unknown[] = []) =>
      db.sql.transaction(async (tx) => {
        await tx.execute('set local enable_seqscan = off'); // a tiny table would otherwise be read whole
        const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain ${query}`, values);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    // The claim's own UPDATE, inside dispatchr_claim(), in the generic plan a long-lived session
    // may settle on (one plan for any values), read through auto_explain (nested statements).
    const target = parsePostgresUrl(testDb.url);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const notices: string[] = [];
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      if (target.schema) await client.query(`set search_path = "${target.schema}"`);
      for (const setting of [
        `load 'auto_explain'`,
        'set auto_explain.log_min_duration = 0',
        'set auto_explain.log_nested_statements = on',
        'set plan_cache_mode = force_generic_plan',
        'set enable_seqscan = off',
        'set client_min_messages = log',
      ]) {
        await client.query(setting);
      }
      await client.query(`begin`);
      await client.query(
        `select id from dispatchr_claim($1, 'explain', now() + interval '1 minute', now(), 100, 1000)`,
        ['explain'],
      );
      await client.query(`rollback`);
      // Each priority level's due tasks in claim order from the due-order index, a range scan (no
      // sort, no filter on run_at), for any queue, level and time ($n, not literals); migration 0017.
      const level = notices.find((notice) => /select d\.id from dispatchr_task d/.test(notice));
      expect(level).toMatch(
        /Index Scan using dispatchr_task_due_order_idx on dispatchr_task d[^\n]*\n\s*Index Cond: \(\(queue = \$\d+\) AND \(priority = \$\d+\) AND \(run_at <= \$\d+\)\)(?![\s\S]*Sort)/,
      );
      // and the claimed ids updated by primary key
      const update = notices.find((notice) => /update dispatchr_task t set state = 'running'/.test(notice));
      expect(update).toMatch(
        /Index Scan using dispatchr_task_pkey on dispatchr_task t[^\n]*\n\s*Index Cond: \(id = ANY /,
      );
    } finally {
      await client.end();
    }

    // The searches the API, the CLI and the bulk retry run: narrowed by queue or state, one scan
    // of the listing index per (queue, state) pair; narrowed by neither, the primary key.
    const shapes: TaskFilter[] = [
      { queue: 'explain', state: 'available' },
      { queue: 'explain' },
      { state: 'failed' },
      { states: ['running', 'failed'] },
      { queues: ['explain', 'other-1'], since: new Date(0) },
    ];
    for (const filter of shapes) {
      for (const query of [
        buildListQuery({ ...filter, limit: 51, beforeId: 'ffffffff-ffff-7fff-bfff-ffffffffffff' }),
        buildCountQuery(filter),
      ]) {
        const text = await plan(query.text, query.values);
        expect(text, JSON.stringify(filter)).not.toMatch(/Seq Scan/);
        expect(text, JSON.stringify(filter)).toMatch(/Index (Only )?Scan (using|on) dispatchr_task_listing_idx/);
      }
      const retry = buildRetryBatch({ filter, limit: 100, now: new Date() });
      if (retry) {
        const text = await plan(retry.text, retry.values);
        expect(text, JSON.stringify(filter)).not.toMatch(/Seq Scan on dispatchr_task/);
        // The dedup check's lookup of newer retryable tasks by key (migration 0008), not a walk of the queue's failed tasks.
        expect(text, JSON.stringify(filter)).toMatch(/Index (Only )?Scan using dispatchr_task_retry_dedup_idx/);
      }
    }
    const everything = buildListQuery({ limit: 51 });
    expect(await plan(everything.text, everything.values)).toMatch(
      /Limit[\s\S]*Index Scan Backward using dispatchr_task_pkey/,
    );
    // A page of one pair reads the index in order, ids only: the only sort is the merge of the pairs' pages.
    const onePair = buildListQuery({ queue: 'explain', state: 'available', limit: 51 });
    expect(await plan(onePair.text, onePair.values)).toMatch(
      /Limit[\s\S]*Index Only Scan using dispatchr_task_listing_idx/,
    );
  });

  it('writes a batch without keys byte for byte (JSON columns as one JSON array), and fails it on a duplicate id', async () => {
    // Quotes, backslashes, escapes, non-ASCII and emoji in headers and JSON bodies; a null body; bytes.
    const json = '{"a":"q\\"uo\\\\te","b":"\\u00e9é😀","c":[1,null,{}]}';
    const tasks = [
      newTask({ queue: 'bytes', headers: { 'x-q': 'say "hi" \\ ok', 'x-u': 'é😀' }, body: Buffer.from(json) }),
      newTask({ queue: 'bytes', headers: {}, body: null, contentType: null }),
      newTask({ queue: 'bytes', body: Buffer.from([0, 1, 255]), contentType: 'application/octet-stream' }),
      newTask({ queue: 'bytes', body: Buffer.from('{"x": 1}'), bodyText: '{"x": 1}' }),
    ];
    const repository = createTaskRepository(db);
    const results = await repository.insertTasks(tasks);
    const rows = await db.sql.query<{ id: string; headers: unknown; body: Buffer | null; body_json: unknown }>(
      `select id, headers, body, body_json from dispatchr_task where queue = 'bytes'`,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(results.map((r) => r.deduplicated)).toEqual([false, false, false, false]);
    results.forEach(({ task }, i) => {
      const row = byId.get(task.id)!;
      expect(row.headers).toEqual(tasks[i].headers);
      expect(row.body === null ? null : Buffer.from(row.body)).toEqual(tasks[i].body);
    });
    expect(byId.get(results[0].task.id)!.body_json).toEqual(JSON.parse(json));
    expect(byId.get(results[2].task.id)!.body_json).toBeNull();
    // No key: only a duplicate id could conflict, and it fails the statement rather than skipping the row.
    const again = newTask({ queue: 'bytes', id: results[0].task.id });
    await expect(repository.insertTasks([newTask({ queue: 'bytes' }), again])).rejects.toThrow();
    expect(await repository.countTasks({ queue: 'bytes' })).toBe(4);
  });
});
