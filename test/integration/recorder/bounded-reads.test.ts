import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { initOrm, type Orm } from '../../../src/db/orm.js';
import { migrate } from '../../../src/db/migrate.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { createTaskRepository, type TaskFilter, type TaskRepository } from '../../../src/db/task.repository.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { createTestSchema, postgresAvailable } from '../../support/postgres.js';
import { call, QUEUES, startTestRecorder, type TestRecorder } from './support.js';

/**
 * Reads that cannot hurt the recorder (docs/spec.md 4.8): a search with clauses no index serves
 * examines at most recorder.maxScanRows tasks per request and continues through its cursor; on
 * PostgreSQL each read statement has a server-side statement_timeout, and at most
 * recorder.maxConcurrentReads lists and searches run at once, so creates keep their connections.
 */
describe.each(drivers())('bounded scans on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { maxScanRows: 1_000 } });
    // The oldest task matches; the 5,000 after it (newer, so read first) do not.
    await recorder.tasks.insertTasks([
      newTask('emails', { path: '/needle-task', headers: { 'x-note': 'needle-123' } }),
    ]);
    for (let batch = 0; batch < 10; batch++) {
      await recorder.tasks.insertTasks(
        Array.from({ length: 500 }, (_, i) =>
          newTask(batch % 2 ? 'emails' : 'reports', { path: `/hay/${batch}/${i}` }),
        ),
      );
    }
  });
  afterAll(async () => recorder.close());

  /** Follows nextCursor to the end; answers every page's paths. */
  async function allPages(query: string): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const reply = await recorder.call('GET', `/v1/tasks?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status, reply.text).toBe(200);
      pages.push(reply.body.tasks.map((task: { path: string }) => task.path));
      cursor = reply.body.nextCursor;
    } while (cursor !== null && pages.length < 50);
    return pages;
  }

  it('examines at most maxScanRows tasks per page: empty pages with cursors, then the match', async () => {
    // 5,001 tasks, 1,000 examined per page: five empty pages, the sixth finds the match and ends.
    expect(await allPages('search=needle-123&limit=10')).toEqual([[], [], [], [], [], ['/needle-task']]);
    // Through a queue's index (PostgreSQL walks queue and state pairs): 2,501 tasks of emails.
    expect(await allPages('queue=emails&path=/needle&limit=10')).toEqual([[], [], ['/needle-task']]);
  });

  it('does not bound a list that its indexes serve: every task examined is a match', async () => {
    const pages = await allPages('limit=1000');
    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 1000, 1000, 1000, 1]);
    const queue = await recorder.call('GET', '/v1/queues/reports/tasks?limit=1000');
    expect(queue.body.tasks).toHaveLength(1000);
    expect(queue.body.nextCursor).not.toBeNull();
  });
});

/** The repository's bounded scan, on every shape of search: its pages join up to the unbounded answer. */
describe.each(drivers())('bounded scans of every shape on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let tasks: TaskRepository;
  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    tasks = createTaskRepository(db);
  });
  afterAll(async () => testDb.cleanup());

  it('pages through every shape of bounded search to exactly what an unbounded one finds', async () => {
    // Running and cancelled tasks too: SQLite reads running ones through their own index, and
    // PostgreSQL walks queue and state pairs; the window must end at the same place for all.
    await tasks.insertTasks(
      Array.from({ length: 12 }, (_, i) =>
        newTask(i % 3 ? 'emails' : 'reports', { path: i % 2 ? '/shape/odd' : '/shape/even' }),
      ),
    );
    await createDispatchRepository(db).claim({
      queue: 'reports',
      limit: 2,
      owner: 'shapes',
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 100,
    });
    const page = await tasks.listTasks({ queue: 'emails', pathPrefix: '/shape', limit: 2 });
    await tasks.applyEvent(page.tasks[1].id, { type: 'cancel' });
    const shapes: TaskFilter[] = [
      { pathPrefix: '/shape' },
      { queue: 'emails', pathPrefix: '/shape/odd' },
      { states: ['running', 'cancelled', 'available'], pathPrefix: '/shape' },
      { queues: ['emails', 'reports'], state: 'running', since: new Date(0) },
      { state: 'available', pathPrefix: '/shape/even' },
    ];
    for (const filter of shapes) {
      const expected = await listAll(tasks, filter, {});
      expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(await listAll(tasks, filter, { maxScanRows: 3 }), JSON.stringify(filter)).toEqual(expected);
    }
  });
});

/** Every id a filter finds, following nextCursor to the end. */
async function listAll(tasks: TaskRepository, filter: TaskFilter, bound: { maxScanRows?: number }): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await tasks.listTasks({ ...filter, ...bound, limit: 2, cursor });
    ids.push(...page.tasks.map((task) => task.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('no end of pages');
}

/** A PostgreSQL table large enough that an unindexed search takes a good part of a second. */
describe.runIf(postgresAvailable())('bounded reads on postgresql', () => {
  const ROWS = 80_000;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let db: Orm;
  const servers: RecorderServer[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('reads');
    // A small pool that gives up waiting after 1 s: without the read cap, queued searches would make creates wait past it.
    db = await initOrm({ url: schema.url, poolSize: 3, acquireTimeoutMs: 1_000 });
    await migrate(db);
    await db.sql
      .execute(`insert into dispatchr_task (id, queue, state, path, method, headers, body, body_json, content_type, run_at, created_at, updated_at)
      select gen_random_uuid(), 'emails', 'completed', '/p/' || i, 'POST', jsonb_build_object('x-n', i::text),
        convert_to('{"n":' || i || ',"pad":"' || repeat('a', 100) || '"}', 'UTF8'), ('{"n":' || i || ',"pad":"' || repeat('a', 100) || '"}')::jsonb,
        'application/json', now(), now(), now()
      from generate_series(1, ${ROWS}) i`);
    await db.sql.execute('analyze dispatchr_task');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await db.close();
    await schema.drop();
  });

  async function start(recorder: Record<string, unknown>): Promise<string> {
    const config = parseConfig({
      database: { url: schema.url, poolSize: 3 },
      recorder: { host: '127.0.0.1', port: 0, ...recorder },
      queues: QUEUES,
    });
    const server = await startRecorderServer(config, { db });
    servers.push(server);
    return server.url;
  }

  it('stops a read at recorder.readTimeout: 503 query_timeout with Retry-After, and the limit stays with that read', async () => {
    const url = await start({ readTimeout: '50ms', maxScanRows: 10_000_000 });
    const reply = await call(url, 'GET', '/v1/tasks?search=not-there');
    expect(reply.status, reply.text).toBe(503);
    expect(reply.body).toMatchObject({ code: 'query_timeout', status: 503, title: 'The read took too long' });
    expect(reply.body.detail).toContain('recorder.readTimeout');
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    // SET LOCAL ended with the read's transaction: no pooled connection kept the limit.
    const settings = await Promise.all(
      Array.from({ length: 3 }, () =>
        db.sql.query<{ timeout: string }>(`select current_setting('statement_timeout') as timeout, pg_sleep(0.05)`),
      ),
    );
    expect(settings.map(([row]) => row.timeout)).toEqual(['0', '0', '0']);
    // A read the index serves is quick and answers.
    expect((await call(url, 'GET', '/v1/queues/emails/tasks?limit=5')).status).toBe(200);
  });

  it('refuses searches past recorder.maxConcurrentReads (503 reads_busy) so that every create gets a connection', async () => {
    const url = await start({ maxConcurrentReads: 1, maxScanRows: 10_000_000, readTimeout: '14s' });
    const searches = Array.from({ length: 12 }, () =>
      call(url, 'GET', '/v1/tasks?search=not-there', { timeoutMs: 60_000 }),
    );
    const creates = Array.from({ length: 10 }, (_, i) =>
      call(url, 'POST', '/v1/queues/emails/tasks', { body: { path: `/during/${i}` } }),
    );
    const [searched, created] = await Promise.all([Promise.all(searches), Promise.all(creates)]);
    expect(created.map((reply) => reply.status)).toEqual(Array(10).fill(201));
    const busy = searched.filter((reply) => reply.status === 503);
    expect(searched.every((reply) => reply.status === 200 || reply.body?.code === 'reads_busy')).toBe(true);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((reply) => Number(reply.headers['retry-after']) > 0)).toBe(true);
    expect(await createTaskRepository(db).countTasks({ pathPrefix: '/during/' })).toBe(10);
  });
});
