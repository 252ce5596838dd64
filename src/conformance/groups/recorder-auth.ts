/**
 * Spec 4.2 and 4.3: who may call what. The kit's configuration has an admin, an enqueue and a
 * read token, and an enqueue token scoped to the `other` queue. Admin-only routes are probed with
 * weaker tokens on a queue that does not exist: the role is checked before the queue (4.2), so the
 * answer must still be 403, and a broken implementation cannot pause or purge a queue other cases use.
 */
import type { ApiResponse } from '../api-client.js';
import { expectEqual, expectProblem, expectStatus, expectTrue, KitFailure } from '../assert.js';
import type { KitContext } from '../kit.js';
import { createTask } from '../wait.js';
import { later, recorderCase, taskPath, tasksPath } from './recorder-support.js';

const REALM = /^Bearer realm="dispatchr"/;

function expectUnauthorized(res: ApiResponse, what: string, tokenPresented: boolean): void {
  try {
    expectProblem(res, 401, 'unauthorized');
  } catch (error) {
    throw new KitFailure(`${what}: ${(error as Error).message}`);
  }
  const challenge = res.headers['www-authenticate'] ?? '';
  expectTrue(
    REALM.test(challenge),
    `${what}: expected WWW-Authenticate: Bearer realm="dispatchr", got ${challenge || 'none'}`,
  );
  const invalid = /error="invalid_token"/.test(challenge);
  if (tokenPresented)
    expectTrue(invalid, `${what}: a presented, wrong token must add error="invalid_token", got ${challenge}`);
  else expectTrue(!invalid, `${what}: without a bearer token only the realm is sent, got ${challenge}`);
}

function expectForbidden(res: ApiResponse, what: string): void {
  try {
    expectProblem(res, 403, 'forbidden');
  } catch (error) {
    throw new KitFailure(`${what}: ${(error as Error).message}`);
  }
}

/** Every admin-only route (4.2's matrix), on a queue and a task that do not exist. */
function adminOnlyRoutes(kit: KitContext): Array<[string, string, unknown]> {
  const queue = kit.unique('no-such-queue');
  const id = '01890000-0000-7000-8000-000000000000';
  return [
    ['POST', `/v1/queues/${queue}/pause`, undefined],
    ['POST', `/v1/queues/${queue}/resume`, undefined],
    ['POST', `/v1/queues/${queue}/purge`, undefined],
    ['POST', `/v1/queues/${queue}/keys/k/cancel`, undefined],
    ['POST', taskPath(id, 'cancel'), undefined],
    ['POST', taskPath(id, 'retry'), undefined],
    ['POST', taskPath(id, 'run'), undefined],
    ['DELETE', taskPath(id), undefined],
    ['POST', '/v1/tasks/retry', { ids: [id], dryRun: true }],
    ['POST', '/v1/tasks/cancel', { ids: [id], dryRun: true }],
  ];
}

export const authCases = [
  recorderCase('4.2 without a token every route is 401 with WWW-Authenticate', 'MUST', async (kit) => {
    const routes: Array<[string, string]> = [
      ['GET', '/v1/queues'],
      ['POST', tasksPath(kit.names.queue)],
      ['GET', '/v1/tasks'],
      ['HEAD', '/v1/queues'],
      ['GET', `/v1/${kit.unique('unknown-route')}`], // 401, not 404
      ['DELETE', '/v1/queues'], // 401, not 405
    ];
    for (const [method, path] of routes) {
      const res = await kit.api.request(method, path, { token: null, body: method === 'POST' ? {} : undefined });
      if (method === 'HEAD') {
        expectStatus(res, 401, `${method} ${path} without a token`);
        expectTrue(REALM.test(res.headers['www-authenticate'] ?? ''), `HEAD without a token: WWW-Authenticate`);
      } else expectUnauthorized(res, `${method} ${path} without a token`, false);
    }
    const basic = await kit.api.request('GET', '/v1/queues', {
      token: null,
      headers: { authorization: 'Basic a2l0OmtpdA==' },
    });
    expectUnauthorized(basic, 'GET /v1/queues with another scheme (Basic)', false);
  }),

  recorderCase('4.2 a wrong token is 401 with error="invalid_token"', 'MUST', async (kit) => {
    const wrong = `${kit.tokens.admin}-not-it`;
    for (const [method, path] of [
      ['GET', '/v1/queues'],
      ['POST', tasksPath(kit.names.queue)],
      ['GET', `/v1/${kit.unique('unknown-route')}`],
    ] as const) {
      const res = await kit.api.request(method, path, { token: wrong, body: method === 'POST' ? {} : undefined });
      expectUnauthorized(res, `${method} ${path} with a wrong token`, true);
    }
  }),

  recorderCase('4.2 the probes need no token', 'MUST', async (kit) => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await kit.api.request('GET', path, { token: null });
      expectStatus(res, 200, `GET ${path} without a token`);
    }
  }),

  recorderCase('4.2 a read token reads but cannot create (403)', 'MUST', async (kit) => {
    const token = kit.tokens.read;
    const task = await createTask(kit, kit.names.queue, { ...later, path: `/${kit.unique('read')}` });
    for (const path of ['/v1/queues', tasksPath(kit.names.queue), '/v1/tasks', taskPath(task.id), '/v1/session']) {
      expectStatus(await kit.api.request('GET', path, { token }), 200, `GET ${path} with the read token`);
    }
    // HEAD of a GET route needs the same role (4.2).
    expectStatus(await kit.api.request('HEAD', '/v1/queues', { token }), 200, 'HEAD /v1/queues with the read token');
    const key = kit.unique('read-key');
    const create = await kit.api.request('POST', tasksPath(kit.names.queue), { token, body: { key } });
    expectForbidden(create, 'create with the read token');
    expectTrue(
      /read/.test(create.json?.detail ?? ''),
      `403 detail names the token's role "read": ${create.json?.detail}`,
    );
    const batch = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
      token,
      body: { tasks: [{ key }] },
    });
    expectForbidden(batch, 'batch with the read token');
    const holder = await kit.api.request('GET', `/v1/queues/${kit.names.queue}/keys/${key}`);
    expectStatus(holder, 404, 'the refused creates wrote nothing');
    for (const [method, path, body] of adminOnlyRoutes(kit)) {
      expectForbidden(await kit.api.request(method, path, { token, body }), `${method} ${path} with the read token`);
    }
  }),

  recorderCase('4.2 an enqueue token creates and reads but may not steer (403)', 'MUST', async (kit) => {
    const token = kit.tokens.enqueue;
    const task = await createTask(kit, kit.names.queue, { ...later, path: `/${kit.unique('enqueue')}` }, { token });
    expectStatus(
      await kit.api.request('GET', taskPath(task.id), { token }),
      200,
      'GET the task with the enqueue token',
    );
    const batch = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
      token,
      body: { tasks: [{ ...later }] },
    });
    expectStatus(batch, 201, 'batch with the enqueue token');
    for (const [method, path, body] of adminOnlyRoutes(kit)) {
      const res = await kit.api.request(method, path, { token, body });
      expectForbidden(res, `${method} ${path} with the enqueue token`);
    }
    // The real task, too: the enqueue token may not cancel it, and it is left as it was.
    expectForbidden(await kit.api.request('POST', taskPath(task.id, 'cancel'), { token }), 'cancel with enqueue');
    const after = await kit.api.request('GET', taskPath(task.id));
    expectEqual(after.json?.state, 'scheduled', 'the task after a refused cancel');
  }),

  recorderCase('4.2 an admin-only route refuses weaker roles before looking at the queue', 'MUST', async (kit) => {
    // 403, not 404 queue_not_found: the role comes first (4.2).
    const res = await kit.api.request('POST', `/v1/queues/${kit.unique('missing')}/pause`, { token: kit.tokens.read });
    expectForbidden(res, 'pause of an unknown queue with the read token');
  }),

  recorderCase('4.2 a queue-scoped token is refused on other queues and allowed on its own', 'MUST', async (kit) => {
    const token = kit.tokens.scoped;
    const refused = await kit.api.request('POST', tasksPath(kit.names.queue), { token, body: { ...later } });
    expectForbidden(refused, `create in ${kit.names.queue} with the token scoped to ${kit.names.other}`);
    const own = await kit.api.request('POST', tasksPath(kit.names.other), { token, body: { ...later } });
    expectStatus(own, 201, `create in ${kit.names.other} with the token scoped to it`);
    expectForbidden(
      await kit.api.request('GET', tasksPath(kit.names.queue), { token }),
      `list ${kit.names.queue} with the scoped token`,
    );
    const queues = await kit.api.request('GET', '/v1/queues', { token });
    expectStatus(queues, 200, 'GET /v1/queues with the scoped token');
    const names = (queues.json?.queues ?? []).map((queue: any) => queue.name);
    expectEqual(names, [kit.names.other], 'GET /v1/queues lists only the token queues');
    // A task of another queue by id is 404 task_not_found, exactly like one that does not exist.
    const foreign = await createTask(kit, kit.names.queue, { ...later });
    expectProblem(await kit.api.request('GET', taskPath(foreign.id), { token }), 404, 'task_not_found');
    const metrics = await kit.api.request('GET', '/metrics', { token });
    expectStatus(metrics, 403, 'GET /metrics with a queue-scoped token');
  }),
];
