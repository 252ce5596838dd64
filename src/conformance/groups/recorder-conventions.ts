/**
 * Spec 4.1 and 4.3: the conventions every route follows (a JSON Content-Type on every POST,
 * unknown fields and query parameters refused, unknown queues, routes and methods), and 4.12: the
 * shape of every error. Refused creates carry a fresh key, so "nothing changed" is checked by the
 * key being free afterwards.
 */
import { excerpt, expectEqual, expectProblem, expectStatus, expectTrue, KitFailure } from '../assert.js';
import type { KitContext } from '../kit.js';
import { createTask } from '../wait.js';
import {
  expectCreateRefused,
  expectFieldProblem,
  expectKeyFree,
  later,
  recorderCase,
  taskPath,
  tasksPath,
} from './recorder-support.js';

async function expect415(kit: KitContext, contentType: string | null, what: string): Promise<void> {
  const key = kit.unique('media');
  const res = await kit.api.request('POST', tasksPath(kit.names.queue), {
    rawBody: JSON.stringify({ ...later, key }),
    contentType,
  });
  expectFieldProblem(res, 415, 'unsupported_media_type', 'Content-Type', what);
  await expectKeyFree(kit, kit.names.queue, key, what);
}

export const conventionCases = [
  recorderCase('4.1 a POST without a JSON Content-Type is 415 and changes nothing', 'MUST', async (kit) => {
    await expect415(kit, null, 'create without Content-Type');
    await expect415(kit, 'text/plain', 'create as text/plain');
    await expect415(kit, 'application/x-www-form-urlencoded', 'create as a form');
    await expect415(kit, 'application/json; charset=latin1', 'create with charset=latin1');
    // Checked before the queue (4.1): an unknown queue still answers 415.
    const unknown = await kit.api.request('POST', tasksPath(kit.unique('nope')), {
      rawBody: '{}',
      contentType: 'text/plain',
    });
    expectFieldProblem(unknown, 415, 'unsupported_media_type', 'Content-Type', 'text/plain to an unknown queue');
  }),

  recorderCase('4.1 application/json with charset=utf-8 and application/*+json are accepted', 'MUST', async (kit) => {
    for (const contentType of ['application/json; charset=utf-8', 'application/vnd.kit+json']) {
      const res = await kit.api.request('POST', tasksPath(kit.names.queue), {
        rawBody: JSON.stringify({ ...later }),
        contentType,
      });
      expectStatus(res, 201, `create as ${contentType}`);
    }
  }),

  recorderCase('4.1 a bodiless POST route without Content-Type is 415 and changes nothing', 'MUST', async (kit) => {
    const task = await createTask(kit, kit.names.queue, { ...later });
    const res = await kit.api.request('POST', taskPath(task.id, 'cancel'), { contentType: null });
    expectFieldProblem(res, 415, 'unsupported_media_type', 'Content-Type', 'cancel without Content-Type');
    const after = await kit.api.request('GET', taskPath(task.id));
    expectEqual(after.json?.state, 'scheduled', 'the task after the refused cancel');
    const ok = await kit.api.request('POST', taskPath(task.id, 'cancel'));
    expectStatus(ok, 200, 'cancel with application/json and an empty body');
  }),

  recorderCase('4.1 an unknown field is 400 naming it, and nothing is written', 'MUST', async (kit) => {
    await expectCreateRefused(kit, kit.names.queue, { ...later, colour: 'red' }, 'colour', 'create with "colour"');
    await expectCreateRefused(
      kit,
      kit.names.queue,
      { ...later, onComplete: { queue: kit.names.queue, path: '/x', extra: 1 } },
      'onComplete.extra',
      'create with onComplete.extra',
    );
  }),

  recorderCase('4.1 an unknown query parameter is 400 naming it, on every route', 'MUST', async (kit) => {
    const task = await createTask(kit, kit.names.queue, { ...later });
    for (const [method, path] of [
      ['GET', '/v1/queues?colour=red'],
      ['GET', `${taskPath(task.id)}?colour=red`],
      ['GET', `${tasksPath(kit.names.queue)}?colour=red`],
      ['GET', '/v1/tasks?colour=red'],
      ['GET', '/v1/session?colour=red'],
    ] as const) {
      expectFieldProblem(await kit.api.request(method, path), 400, 'validation_failed', 'colour', `${method} ${path}`);
    }
    const key = kit.unique('query');
    const create = await kit.api.request('POST', `${tasksPath(kit.names.queue)}?colour=red`, {
      body: { ...later, key },
    });
    expectFieldProblem(create, 400, 'validation_failed', 'colour', 'create with ?colour=red');
    await expectKeyFree(kit, kit.names.queue, key, 'create with ?colour=red');
    const cancel = await kit.api.request('POST', `${taskPath(task.id, 'cancel')}?colour=red`);
    expectFieldProblem(cancel, 400, 'validation_failed', 'colour', 'cancel with ?colour=red');
    expectEqual((await kit.api.request('GET', taskPath(task.id))).json?.state, 'scheduled', 'the task after it');
  }),

  recorderCase('4.1 an unknown queue is 404 queue_not_found on every route', 'MUST', async (kit) => {
    const queue = kit.unique('no-such-queue');
    for (const [method, path] of [
      ['POST', tasksPath(queue)],
      ['POST', `${tasksPath(queue)}/batch`],
      ['GET', tasksPath(queue)],
      ['GET', `/v1/tasks?queue=${queue}`],
      ['POST', `/v1/queues/${queue}/pause`],
      ['POST', `/v1/queues/${queue}/resume`],
      ['POST', `/v1/queues/${queue}/purge`],
      ['GET', `/v1/queues/${queue}/keys/k`],
    ] as const) {
      const body = path.endsWith('/batch') ? { tasks: [{}] } : method === 'POST' ? {} : undefined;
      const res = await kit.api.request(method, path, { body });
      try {
        expectProblem(res, 404, 'queue_not_found');
      } catch (error) {
        throw new KitFailure(`${method} ${path}: ${(error as Error).message}`);
      }
    }
  }),

  recorderCase('4.3 an unknown route is 404 not_found', 'MUST', async (kit) => {
    for (const path of [`/v1/${kit.unique('nothing')}`, '/v2/queues', `/v1/queues/${kit.names.queue}/nothing`]) {
      expectProblem(await kit.api.request('GET', path), 404, 'not_found');
    }
  }),

  recorderCase('4.3 a known path with another method is 405 with Allow', 'MUST', async (kit) => {
    for (const [method, path, must] of [
      ['DELETE', '/v1/queues', ['GET']],
      ['PUT', tasksPath(kit.names.queue), ['GET', 'POST']],
      ['GET', `/v1/queues/${kit.names.queue}/pause`, ['POST']],
    ] as const) {
      const res = await kit.api.request(method, path);
      expectProblem(res, 405, 'method_not_allowed');
      const allow = (res.headers.allow ?? '').split(',').map((item) => item.trim().toUpperCase());
      for (const name of must)
        expectTrue(
          allow.includes(name),
          `${method} ${path}: Allow should list ${name}, got "${res.headers.allow ?? ''}"`,
        );
      expectTrue(!allow.includes(method), `${method} ${path}: Allow lists the refused method ${method}`);
    }
  }),

  recorderCase('4.3 OPTIONS on a known path is 204 with Allow, and no CORS header is granted', 'MUST', async (kit) => {
    const res = await kit.api.request('OPTIONS', '/v1/queues', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expectStatus(res, 204, 'OPTIONS /v1/queues');
    expectTrue(
      (res.headers.allow ?? '').toUpperCase().includes('GET'),
      `OPTIONS: Allow lists GET: ${res.headers.allow}`,
    );
    const cors = Object.keys(res.headers).filter((name) => name.startsWith('access-control-'));
    expectEqual(cors, [], 'Access-Control-* headers on a preflight (4.1: never granted)');
  }),

  recorderCase('4.1 times are answered in UTC with milliseconds', 'MUST', async (kit) => {
    // Ten days ahead, written at +01:00 without milliseconds; answered in UTC with them.
    const due = new Date(Math.floor(Date.now() / 1000) * 1000 + 10 * 86_400_000);
    const written = `${new Date(due.getTime() + 3_600_000).toISOString().slice(0, 19)}+01:00`;
    const task = await createTask(kit, kit.names.queue, { runAt: written, key: kit.unique('t') });
    const form = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const field of ['runAt', 'createdAt', 'updatedAt'])
      expectTrue(
        form.test(task[field]),
        `${field} should be UTC with milliseconds, got ${JSON.stringify(task[field])}`,
      );
    expectEqual(task.runAt, due.toISOString(), `runAt ${written} answered in UTC`);
  }),

  recorderCase('4.4 a create answers 201 with Location, and the task is readable there', 'MUST', async (kit) => {
    const res = await kit.api.request('POST', tasksPath(kit.names.queue), { body: { ...later } });
    expectStatus(res, 201, 'create');
    const location = res.headers.location ?? '';
    expectTrue(
      location.endsWith(`/v1/tasks/${res.json?.id}`),
      `Location should end with /v1/tasks/{id}, got ${location}`,
    );
    expectEqual(res.json?.state, 'scheduled', 'a task due in a day is scheduled');
    const read = await kit.api.request('GET', taskPath(res.json.id));
    expectStatus(read, 200, 'GET the created task');
    expectTrue(Array.isArray(read.json?.attempts), 'GET /v1/tasks/{id} carries attempts');
    expectTrue('waiting' in (read.json ?? {}), 'GET /v1/tasks/{id} carries waiting');
    expectEqual(read.json?.waiting?.code, 'scheduled', 'waiting.code of a task due later');
  }),

  recorderCase('4.12 every error is a problem with code, title, status, detail and errors', 'MUST', async (kit) => {
    const task = await createTask(kit, kit.names.queue, { ...later });
    const key = kit.unique('shape');
    await createTask(kit, kit.names.queue, { ...later, key }, { headers: { 'idempotency-key': key } });
    const samples: Array<[string, Promise<any>]> = [
      ['401', kit.api.request('GET', '/v1/queues', { token: null })],
      ['403', kit.api.request('POST', tasksPath(kit.names.queue), { token: kit.tokens.read, body: {} })],
      ['404 route', kit.api.request('GET', `/v1/${kit.unique('x')}`)],
      ['404 task', kit.api.request('GET', taskPath('01890000-0000-7000-8000-000000000000'))],
      ['405', kit.api.request('DELETE', '/v1/queues')],
      ['409', kit.api.request('POST', taskPath(task.id, 'retry'))],
      ['415', kit.api.request('POST', tasksPath(kit.names.queue), { rawBody: '{}', contentType: 'text/plain' })],
      ['400', kit.api.request('POST', tasksPath(kit.names.queue), { body: { priority: 10 } })],
      ['400 json', kit.api.request('POST', tasksPath(kit.names.queue), { rawBody: '{"path":' })],
      [
        '422',
        kit.api.request('POST', tasksPath(kit.names.queue), {
          token: kit.tokens.enqueue,
          body: { ...later, key, path: '/other' },
          headers: { 'idempotency-key': key },
        }),
      ],
    ];
    for (const [label, pending] of samples) {
      const res = await pending;
      const what = `the ${label} answer`;
      expectTrue(res.status >= 400, `${what}: expected an error, got ${res.status}: ${excerpt(res.text)}`);
      expectTrue(
        /^application\/problem\+json/i.test(res.headers['content-type'] ?? ''),
        `${what}: Content-Type should be application/problem+json, got ${res.headers['content-type'] ?? 'none'}`,
      );
      const body = res.json ?? {};
      for (const field of ['code', 'title', 'detail'])
        expectTrue(typeof body[field] === 'string', `${what}: "${field}" should be a string: ${excerpt(res.text)}`);
      expectEqual(body.status, res.status, `${what}: the body's status`);
      expectTrue(Array.isArray(body.errors), `${what}: "errors" should be an array: ${excerpt(res.text)}`);
      expectTrue(!/\n\s+at |node_modules|\.ts:\d+|\.js:\d+/.test(res.text), `${what}: looks like a stack trace`);
    }
  }),
];
