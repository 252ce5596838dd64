import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type Reply, type TestRecorder } from './support.js';

/**
 * Every cell of spec 4.2's matrix: each route the router serves × each kind of caller, over HTTP.
 * The table below is the spec's, written out here on its own: the router must serve exactly these
 * routes, each declaring exactly this permission, so a route added without a permission (or
 * without a row here) fails the first test. A refused call must also change nothing.
 */
type Permission = 'public' | 'read' | 'enqueue' | 'admin';

const PERMISSIONS: Record<string, Permission> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /v1/queues/:queue/tasks': 'enqueue',
  'POST /v1/queues/:queue/tasks/batch': 'enqueue',
  'GET /v1/queues/:queue/tasks': 'read',
  'GET /v1/tasks': 'read',
  'GET /v1/tasks/:id': 'read',
  'POST /v1/tasks/:id/cancel': 'admin',
  'POST /v1/tasks/:id/retry': 'admin',
  'POST /v1/tasks/:id/run': 'admin',
  'GET /v1/queues/:queue/keys/:key': 'read',
  'POST /v1/queues/:queue/keys/:key/cancel': 'admin',
  'POST /v1/tasks/retry': 'admin',
  'POST /v1/tasks/cancel': 'admin',
  'GET /v1/session': 'read',
  'GET /v1/activity': 'read',
  'GET /v1/failures': 'read',
  'DELETE /v1/tasks/:id': 'admin',
  'GET /v1/queues': 'read',
  'POST /v1/queues/:queue/pause': 'admin',
  'POST /v1/queues/:queue/resume': 'admin',
  'POST /v1/queues/:queue/purge': 'admin',
  'GET /v1/schedulers': 'read',
  'GET /v1/openapi.json': 'read',
  'GET /metrics': 'read',
  'GET /v1/cron': 'read',
  'GET /v1/cron/:name': 'read',
  'GET /v1/cron/:name/runs': 'read',
  'PUT /v1/cron/:name': 'admin',
  'DELETE /v1/cron/:name': 'admin',
  'POST /v1/cron/:name/pause': 'admin',
  'POST /v1/cron/:name/resume': 'admin',
  'POST /v1/cron/:name/trigger': 'admin',
};
/** Every GET route also answers HEAD, under the same permission. */
const ROUTES: Record<string, Permission> = {
  ...PERMISSIONS,
  ...Object.fromEntries(
    Object.entries(PERMISSIONS).flatMap(([route, permission]) =>
      route.startsWith('GET ') ? [[`HEAD ${route.slice(4)}`, permission]] : [],
    ),
  ),
};

const ENQUEUER = 'enqueue-token-0123456789abcdef';
const READER = 'read-token-0123456789abcdef';
const SCOPED = 'scoped-enqueue-token-0123456789';

/** The callers: `scoped` is an enqueue token limited to `reports`, calling routes of `emails`. */
const CALLERS = {
  admin: { token: TOKEN, role: 'admin', scoped: false },
  enqueue: { token: ENQUEUER, role: 'enqueue', scoped: false },
  read: { token: READER, role: 'read', scoped: false },
  'scoped enqueue, other queue': { token: SCOPED, role: 'enqueue', scoped: true },
  'no token': { token: null, role: null, scoped: false },
  'bad token': { token: 'not-a-token-0123456789abcdef', role: null, scoped: false },
} as const;
type Caller = (typeof CALLERS)[keyof typeof CALLERS];

const STRENGTH = { read: 0, enqueue: 1, admin: 2 } as const;

/** The cron entry each `:name` route is called on, and the body of its PUT. */
const CRON_ENTRY = { queue: 'emails', schedule: '@daily' };

/**
 * What spec 4.2 says the caller gets: allowed, 401, 403, or 404 (a task, or a cron entry, of another
 * queue is invisible). The cron entries named here are in `emails`; a PUT names its queue in the body.
 */
function expected(caller: Caller, route: string): 'allowed' | 401 | 403 | 404 {
  const permission = ROUTES[route];
  if (permission === 'public') return 'allowed';
  if (caller.role === null) return 401;
  if (STRENGTH[caller.role] < STRENGTH[permission]) return 403;
  if (caller.scoped && (route.includes(':queue') || route.endsWith(' /metrics'))) return 403;
  if (caller.scoped && route.includes(':id')) return 404;
  if (caller.scoped && route.includes(':name')) return route.startsWith('PUT ') ? 403 : 404;
  return 'allowed';
}

describe.each(drivers())('the role matrix on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      {
        recorder: {
          tokens: [
            TOKEN,
            { token: ENQUEUER, role: 'enqueue', name: 'app' },
            { token: READER, role: 'read' },
            { token: SCOPED, role: 'enqueue', queues: ['reports'] },
          ],
        },
      },
      { defaultToken: TOKEN },
    );
  });
  afterAll(async () => recorder.close());

  it('serves exactly the routes of the table, each declaring its permission', () => {
    const served = Object.fromEntries(
      recorder.server.recorder.routes.map((route) => [`${route.method} ${route.path}`, route.permission]),
    );
    expect(served).toEqual(ROUTES);
  });

  /** What a refused call must not change: each queue's counts per state and whether it is paused, and the cron entries. */
  async function state() {
    const { queues } = (await recorder.call('GET', '/v1/queues')).body as {
      queues: { name: string; paused: boolean; counts: unknown }[];
    };
    return {
      tasks: await recorder.count(),
      queues: queues.map(({ name, paused, counts }) => ({ name, paused, counts })),
      cron: (await recorder.call('GET', '/v1/cron')).body,
    };
  }

  let cronEntries = 0;
  let keys = 0;

  /** The call for a route, its task (if it names one) created first, so the "before" state includes it. */
  async function prepare(route: string): Promise<(caller: Caller) => Promise<Reply>> {
    const [method, template] = route.split(' ');
    let path = template.replace(':queue', 'emails');
    if (path.includes(':id')) {
      // A fresh waiting task of `emails` for each call, so one cell never depends on another.
      const task = await recorder.call('POST', '/v1/queues/emails/tasks', { body: { path: '/matrix' } });
      path = path.replace(':id', task.body.id);
    }
    if (path.includes(':key')) {
      // A fresh waiting task holding a fresh key of `emails` for each call.
      const key = `matrix/${(keys += 1)}`;
      await recorder.call('POST', '/v1/queues/emails/tasks', { body: { path: '/matrix', key } });
      path = path.replace(':key', encodeURIComponent(key));
    }
    if (path.includes(':name')) {
      // A fresh API entry of `emails` for each call (PUT replaces it), so one cell never depends on another.
      const name = `matrix-${(cronEntries += 1)}`;
      const entry = await recorder.call('PUT', `/v1/cron/${name}`, { body: CRON_ENTRY });
      if (entry.status !== 201) throw new Error(`could not create cron entry ${name}: ${entry.text}`);
      path = path.replace(':name', name);
    }
    const bodies: Record<string, unknown> = {
      'POST /v1/queues/:queue/tasks': { path: '/matrix' },
      'POST /v1/queues/:queue/tasks/batch': { tasks: [{ path: '/matrix' }] },
      'POST /v1/tasks/retry': { state: 'failed', queue: 'emails' },
      'POST /v1/tasks/cancel': { state: 'available', queue: 'emails' },
      'PUT /v1/cron/:name': CRON_ENTRY,
    };
    return (caller) => recorder.call(method, path, { token: caller.token, body: bodies[route] });
  }

  for (const [name, caller] of Object.entries(CALLERS)) {
    it(`answers ${name} as the matrix says, on every route`, async () => {
      const cells: string[] = [];
      for (const route of Object.keys(ROUTES)) {
        const want = expected(caller, route);
        const send = await prepare(route);
        const before = want === 'allowed' ? null : await state();
        const reply = await send(caller);
        // Allowed: a success, or a refusal by the task's state (409), never 401/403/404.
        const got = reply.status < 300 || reply.status === 409 ? 'allowed' : reply.status;
        cells.push(`${route}: ${String(got)}`);
        expect(got, `${name} → ${route} (${reply.text.slice(0, 200)})`).toBe(want);
        if (want === 403 && route.split(' ')[0] !== 'HEAD') {
          expect(reply.body.code).toBe('forbidden');
          if (STRENGTH[caller.role!] < STRENGTH[ROUTES[route] as 'read'])
            expect(reply.body.detail).toContain(`role is "${caller.role}"`);
        }
        if (before) expect(await state(), `${name} → ${route} changed something`).toEqual(before);
        if (route === 'POST /v1/queues/:queue/pause' && want === 'allowed')
          await recorder.call('POST', '/v1/queues/emails/resume');
      }
      expect(cells).toHaveLength(Object.keys(ROUTES).length);
    });
  }
});
