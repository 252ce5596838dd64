import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskListResponse, taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { migrate } from '../../../src/db/migrate.js';
import { initOrm } from '../../../src/db/orm.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { createTestDatabase, drivers } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { call, startTestRecorder, type TestRecorder } from './support.js';

/**
 * What a read answers (docs/spec.md 4.8, 4.11): lists and searches the basic view unless
 * `view=full`, a single task the full view unless `view=basic`, a batch create the basic view; and
 * every page within recorder.maxPageBytes, ending early with a cursor, so a read-only token cannot
 * make the recorder build a page of gigabytes.
 */
const BUDGET = 16_384;

describe.each(drivers())('views and the page budget on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { maxPageBytes: BUDGET } });
  });
  afterAll(async () => recorder.close());

  const create = async (queue: string, body: Record<string, unknown>) => {
    const reply = await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body });
    expect(reply.status, reply.text).toBe(201);
    return reply.body;
  };

  it('answers lists and searches in the basic view unless view=full, a task in full unless view=basic', async () => {
    const task = await create('emails', {
      path: '/views',
      headers: { 'X-Tenant': 'a', Authorization: 'Bearer s3cret' },
      body: { to: 'a@example.com' },
    });
    const bodyBytes = Buffer.byteLength('{"to":"a@example.com"}');
    const basicFields = { id: task.id, path: '/views', contentType: 'application/json', bodyBytes };
    const full = {
      ...basicFields,
      headers: { 'x-tenant': 'a', authorization: '[redacted]' },
      body: { to: 'a@example.com' },
    };
    for (const list of ['/v1/queues/emails/tasks?limit=1', '/v1/tasks?path=/views']) {
      const basic = taskListResponse.parse((await recorder.call('GET', list)).body).tasks[0];
      expect(basic, list).toMatchObject(basicFields);
      for (const field of ['headers', 'body', 'bodyBase64'])
        expect(basic, `${list} ${field}`).not.toHaveProperty(field);
      const shown = taskListResponse.parse((await recorder.call('GET', `${list}&view=full`)).body).tasks[0];
      expect(shown, list).toMatchObject(full);
    }
    const one = await recorder.call('GET', `/v1/tasks/${task.id}`);
    expect(taskResource.parse(one.body)).toMatchObject({ ...full, attempts: [], waiting: expect.any(Object) });
    const oneBasic = await recorder.call('GET', `/v1/tasks/${task.id}?view=basic`);
    expect(oneBasic.body).toMatchObject({ ...basicFields, attempts: [] });
    expect(oneBasic.body).not.toHaveProperty('headers');
    expect(oneBasic.body).not.toHaveProperty('body');
  });

  it('refuses an unknown view, and unknown query parameters on GET /v1/tasks/{id}', async () => {
    const task = await create('emails', { path: '/refuse' });
    for (const target of [
      `/v1/tasks/${task.id}?view=everything`,
      '/v1/tasks?view=FULL',
      '/v1/queues/emails/tasks?view=',
    ]) {
      const reply = await recorder.call('GET', target);
      expect(reply.status, target).toBe(400);
      expect(reply.body.errors, target).toEqual([
        { path: 'view', message: expect.stringMatching(/^expected "basic" or "full"/) },
      ]);
    }
    const unknown = await recorder.call('GET', `/v1/tasks/${task.id}?x=1`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((error: { path: string }) => error.path)).toEqual(['x']);
    expect((await recorder.call('GET', `/v1/tasks/${task.id}?view=basic&view=full`)).status).toBe(400);
  });

  it('answers a batch create in the basic view', async () => {
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks/batch', {
      body: { tasks: [{ path: '/b1', body: { n: 1 }, headers: { 'x-a': 'b' } }, { path: '/b2' }] },
    });
    expect(reply.status).toBe(201);
    expect(
      reply.body.tasks.map((task: Record<string, unknown>) => [
        task.path,
        task.bodyBytes,
        'body' in task,
        'headers' in task,
      ]),
    ).toEqual([
      ['/b1', 7, false, false],
      ['/b2', null, false, false],
    ]);
  });

  it('shows a JSON-typed body as body only when its bytes are UTF-8 JSON text, else as bodyBase64', async () => {
    const cases = [
      { bytes: Buffer.from('{"a": [1, 2]}'), shown: { body: { a: [1, 2] } } },
      { bytes: Buffer.from('"✓"'), shown: { body: '✓' } },
      {
        bytes: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
        shown: { bodyBase64: 'eyJhIjoi/yJ9' },
      }, // {"a":"\xff"}: not UTF-8
      { bytes: Buffer.from('not json'), shown: { bodyBase64: Buffer.from('not json').toString('base64') } },
    ];
    for (const { bytes, shown } of cases) {
      const task = await create('emails', {
        path: '/json-rule',
        bodyBase64: bytes.toString('base64'),
        contentType: 'application/problem+json',
      });
      const read = (await recorder.call('GET', `/v1/tasks/${task.id}`)).body;
      expect(read, bytes.toString('hex')).toMatchObject({ ...shown, bodyBytes: bytes.length });
      expect(
        Object.keys(read).filter((key) => key === 'body' || key === 'bodyBase64'),
        bytes.toString('hex'),
      ).toEqual(Object.keys(shown));
    }
  });

  it('ends a page before it would pass maxPageBytes, with a cursor after its last task, and never leaves a task behind', async () => {
    // 12 tasks of 3 KB of JSON: four or so fit a 16 KB page in full, every one of them in basic.
    const made: string[] = [];
    for (let i = 0; i < 12; i++)
      made.push((await create('reports', { path: `/budget/${i}`, body: { pad: 'x'.repeat(3_000), i } })).id);
    // And one task whose body alone is larger than the budget: alone on its page.
    made.push((await create('reports', { path: '/budget/big', body: { pad: 'y'.repeat(BUDGET * 2) } })).id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const reply = await recorder.call(
        'GET',
        `/v1/queues/reports/tasks?limit=1000&view=full${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(reply.status).toBe(200);
      const page = taskListResponse.parse(reply.body);
      expect(page.tasks.length).toBeGreaterThan(0);
      if (page.tasks.length > 1) expect(Buffer.byteLength(reply.text)).toBeLessThanOrEqual(BUDGET);
      expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(reply.text)); // counted exactly while built
      sizes.push(page.tasks.length);
      seen.push(...page.tasks.map((task) => task.id));
      cursor = page.nextCursor;
    } while (cursor !== null && sizes.length < 20);
    expect(seen).toEqual([...made].reverse()); // each task exactly once, newest first
    expect(sizes[0]).toBe(1); // the big one, alone
    expect(sizes.length).toBeGreaterThan(3);
    const basic = await recorder.call('GET', '/v1/queues/reports/tasks?limit=1000');
    expect(basic.body.tasks).toHaveLength(13);
    expect(basic.body.nextCursor).toBeNull();
  });
});

/** The peak resident memory of a process (Linux: /proc/<pid>/status VmHWM), in kB. */
function peakRssKb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/**
 * The issue's case: 100 tasks of 1 MB read with `limit=1000&view=full` from a recorder running as
 * its own process. Every page stays within the 8 MB default, the cursors return every task once,
 * and the process's peak RSS while serving them stays under 300 MB (it read every body once).
 */
describe.each(drivers())('a recorder process serving 100 tasks of 1 MB on %s', (driver) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-budget-'));
  let cleanup: () => Promise<void> = async () => undefined;
  afterAll(async () => {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'answers every page within 8 MB, returns each task once, and keeps the recorder under 300 MB',
    { timeout: 180_000 },
    async () => {
      let databaseUrl = `sqlite:${path.join(dir, 'budget.db')}`;
      if (driver === 'postgresql') {
        const database = await createTestDatabase('postgresql');
        await (await database.openMigrated()).close();
        databaseUrl = database.url;
        cleanup = () => database.cleanup();
      }
      const configFile = path.join(dir, `${driver}.yml`);
      writeFileSync(
        configFile,
        [
          `database: { url: "${databaseUrl}" }`,
          'recorder: { host: 127.0.0.1, port: 0 }',
          'log: { level: error }',
          'queues:',
          '  blobs: { target: "http://127.0.0.1:9/blobs", allowPrivateNetwork: true }',
          '',
        ].join('\n'),
      );
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.resolve('test/integration/recorder/recorder-process.ts'), configFile],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        let stdout = '';
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout.on('data', (chunk) => {
            stdout += chunk;
            const match = /listening on (http:\/\/\S+)/.exec(stdout);
            if (match) resolve(match[1]);
          });
          void exited.then(() => reject(new Error(`the recorder exited: ${stderr}`)));
        });

        // Written beside the recorder, not through it: a create's own memory would count in the
        // process's peak, and what is measured here is what reading them costs.
        const digests = new Map<string, string>();
        const db = await initOrm({ url: databaseUrl });
        try {
          if (driver === 'sqlite') await migrate(db); // the recorder migrated it too; a second run changes nothing
          const tasks = createTaskRepository(db);
          for (let batch = 0; batch < 20; batch++) {
            const bodies = Array.from({ length: 5 }, () => randomBytes(1_000_000));
            const made = await tasks.insertTasks(
              bodies.map((body) =>
                newTask('blobs', {
                  body,
                  contentType: 'application/octet-stream',
                  runAt: new Date(Date.now() + 3_600_000),
                }),
              ),
            );
            made.forEach(({ task }, i) => digests.set(task.id, createHash('sha256').update(bodies[i]).digest('hex')));
          }
        } finally {
          await db.close();
        }
        const before = peakRssKb(child.pid!);

        const seen = new Map<string, number>();
        let pages = 0;
        let cursor: string | null = null;
        do {
          const reply = await call(url, 'GET', `/v1/tasks?limit=1000&view=full${cursor ? `&cursor=${cursor}` : ''}`, {
            timeoutMs: 60_000,
          });
          expect(reply.status).toBe(200);
          expect(Buffer.byteLength(reply.text)).toBeLessThanOrEqual(8 * 1024 * 1024);
          for (const task of reply.body.tasks as { id: string; bodyBase64: string; bodyBytes: number }[]) {
            expect(task.bodyBytes).toBe(1_000_000);
            expect(createHash('sha256').update(Buffer.from(task.bodyBase64, 'base64')).digest('hex')).toBe(
              digests.get(task.id),
            );
            seen.set(task.id, (seen.get(task.id) ?? 0) + 1);
          }
          cursor = reply.body.nextCursor;
          if (++pages === 1) expect(cursor).not.toBeNull();
        } while (cursor !== null && pages < 200);
        expect(seen.size).toBe(100);
        expect([...seen.values()].every((times) => times === 1)).toBe(true);
        expect(pages).toBeGreaterThan(10); // about six 1.3 MB tasks per 8 MB page

        const peakKb = peakRssKb(child.pid!);
        expect(peakKb * 1024, `peak RSS ${peakKb} kB, ${before} kB before the reads`).toBeLessThan(300 * 1024 * 1024);

        // The basic view of the same hundred: one small page.
        const basic = await call(url, 'GET', '/v1/tasks?limit=1000');
        expect(basic.body.tasks).toHaveLength(100);
        expect(Buffer.byteLength(basic.text)).toBeLessThan(100_000);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    },
  );
});
