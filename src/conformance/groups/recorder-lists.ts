/**
 * Spec 4.8: lists and searches. Newest first, `limit`, keyset paging that visits every task once,
 * cursors the API did not issue refused, the `state` filter. Other cases create tasks meanwhile,
 * so a case looks at its own tasks through the `path` prefix filter of `GET /v1/tasks`.
 */
import type { ApiResponse } from '../api-client.js';
import { expectEqual, expectProblem, expectStatus, expectTrue } from '../assert.js';
import type { KitContext } from '../kit.js';
import { createTask } from '../wait.js';
import { expectFieldProblem, later, recorderCase, tasksPath } from './recorder-support.js';

/** Creates `count` tasks one after another under a fresh path prefix; returns the prefix and ids. */
async function someTasks(kit: KitContext, label: string, count: number): Promise<{ prefix: string; ids: string[] }> {
  const prefix = `/${kit.unique(label)}/`;
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await createTask(kit, kit.names.queue, { ...later, path: `${prefix}${i}` })).id);
  return { prefix, ids };
}

function search(kit: KitContext, prefix: string, extra = ''): string {
  return `/v1/tasks?queue=${kit.names.queue}&path=${encodeURIComponent(prefix)}${extra}`;
}

/** Follows nextCursor to the end; returns every page's ids, in order. */
async function allPages(kit: KitContext, first: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const url: string = `${first}${first.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res: ApiResponse = await kit.api.request('GET', url);
    expectStatus(res, 200, `page ${page + 1} of ${first}`);
    const tasks = res.json?.tasks ?? [];
    expectTrue(tasks.length <= limit, `page ${page + 1} holds ${tasks.length} tasks, over limit=${limit}`);
    seen.push(...tasks.map((task: any) => task.id));
    cursor = res.json?.nextCursor ?? null;
    if (cursor === null) return seen;
  }
  throw new Error(`${first}: still a nextCursor after 100 pages`);
}

export const listCases = [
  recorderCase('4.8 a search lists tasks newest first', 'MUST', async (kit) => {
    const { prefix, ids } = await someTasks(kit, 'newest', 4);
    const res = await kit.api.request('GET', search(kit, prefix));
    expectStatus(res, 200, 'the search');
    expectEqual(
      (res.json?.tasks ?? []).map((task: any) => task.id),
      [...ids].reverse(),
      'the tasks, newest first',
    );
    expectEqual(res.json?.nextCursor ?? null, null, 'nextCursor when everything fits');
  }),

  recorderCase('4.8 a queue list is newest first and carries no attempts', 'MUST', async (kit) => {
    await someTasks(kit, 'queue-list', 2);
    const res = await kit.api.request('GET', `${tasksPath(kit.names.queue)}?limit=50`);
    expectStatus(res, 200, 'the queue list');
    const tasks = res.json?.tasks ?? [];
    expectTrue(tasks.length >= 2, `the list holds the new tasks (got ${tasks.length})`);
    for (let i = 1; i < tasks.length; i++)
      // Ids are time-ordered (spec 2) and the keyset: newest first means ids descending.
      expectTrue(
        tasks[i - 1].id.toLowerCase() > tasks[i].id.toLowerCase(),
        `id order at ${i}: ${tasks[i - 1].id} then ${tasks[i].id}`,
      );
    expectTrue(
      tasks.every((task: any) => !('attempts' in task)),
      'list entries carry no attempts',
    );
    expectTrue(
      tasks.every((task: any) => task.queue === kit.names.queue),
      'every task is of the queue',
    );
  }),

  recorderCase(
    '4.8 paging with nextCursor visits every task exactly once',
    'MUST',
    async (kit) => {
      const { prefix, ids } = await someTasks(kit, 'paging', 7);
      const seen = await allPages(kit, search(kit, prefix), 2);
      expectEqual(seen, [...ids].reverse(), 'the ids over every page, in order');
      // The queue list pages the same way; new tasks arriving meanwhile never repeat one.
      const queueIds = await allPages(kit, `${tasksPath(kit.names.queue)}?state=scheduled`, 500);
      expectEqual(new Set(queueIds).size, queueIds.length, 'ids repeated across the pages of the queue list');
      for (const id of ids) expectTrue(queueIds.includes(id), `the queue list's pages include ${id}`);
    },
    { timeoutMs: 60_000 },
  ),

  recorderCase('4.8 limit: 1 to 1,000 written as digits', 'MUST', async (kit) => {
    const { prefix } = await someTasks(kit, 'limit', 3);
    const one = await kit.api.request('GET', search(kit, prefix, '&limit=1'));
    expectStatus(one, 200, 'limit=1');
    expectEqual(one.json?.tasks?.length, 1, 'tasks on a limit=1 page');
    expectTrue(typeof one.json?.nextCursor === 'string', 'nextCursor is a string while tasks are left');
    for (const limit of ['0', '1001', 'ten', '1.5', '-1']) {
      const res = await kit.api.request('GET', `${tasksPath(kit.names.queue)}?limit=${limit}`);
      expectFieldProblem(res, 400, 'validation_failed', 'limit', `limit=${limit}`);
    }
  }),

  recorderCase('4.8 a cursor the API did not issue is 400 invalid_cursor', 'MUST', async (kit) => {
    for (const cursor of ['forged', 'eyJpZCI6IjAxOTAwMDAwIn0', '%00x']) {
      for (const path of [`${tasksPath(kit.names.queue)}?cursor=${cursor}`, `/v1/tasks?cursor=${cursor}`]) {
        const res = await kit.api.request('GET', path);
        if (cursor === '%00x') expectStatus(res, 400, path);
        else expectProblem(res, 400, 'invalid_cursor');
      }
    }
  }),

  recorderCase('4.8 the state filter lists only tasks in that state', 'MUST', async (kit) => {
    const { prefix } = await someTasks(kit, 'state', 1);
    const scheduled = await kit.api.request('GET', `${tasksPath(kit.names.queue)}?state=scheduled&limit=1000`);
    expectStatus(scheduled, 200, 'state=scheduled');
    const tasks = scheduled.json?.tasks ?? [];
    expectTrue(
      tasks.every((task: any) => task.state === 'scheduled'),
      'every listed task is scheduled',
    );
    const several = await kit.api.request('GET', `/v1/tasks?queue=${kit.names.queue}&state=failed,cancelled`);
    expectStatus(several, 200, 'GET /v1/tasks?state=failed,cancelled');
    expectTrue(
      (several.json?.tasks ?? []).every((task: any) => task.state === 'failed' || task.state === 'cancelled'),
      'every task is failed or cancelled',
    );
    const none = await kit.api.request('GET', search(kit, prefix, '&state=completed'));
    expectEqual(none.json?.tasks?.length, 0, 'a scheduled task is not listed as completed');
    expectFieldProblem(
      await kit.api.request('GET', `${tasksPath(kit.names.queue)}?state=sleeping`),
      400,
      'validation_failed',
      'state',
      'state=sleeping',
    );
  }),

  recorderCase('4.11 lists answer the basic view, full with view=full', 'MUST', async (kit) => {
    const prefix = `/${kit.unique('view')}/`;
    await createTask(kit, kit.names.queue, { ...later, path: `${prefix}0`, body: { a: 1 }, headers: { 'x-a': 'b' } });
    const basic = (await kit.api.request('GET', search(kit, prefix))).json?.tasks?.[0] ?? {};
    expectTrue(!('body' in basic) && !('headers' in basic), 'the default list view has no body or headers');
    const full = (await kit.api.request('GET', search(kit, prefix, '&view=full'))).json?.tasks?.[0] ?? {};
    expectEqual(full.body, { a: 1 }, 'body in view=full');
    expectEqual(full.headers, { 'x-a': 'b' }, 'headers in view=full');
  }),

  recorderCase('4.8 an id that is not a task id is 404 task_not_found', 'MUST', async (kit) => {
    for (const id of ['not-a-uuid', '01890000-0000-7000-8000-000000000000', "1' or '1'='1"]) {
      expectProblem(await kit.api.request('GET', `/v1/tasks/${encodeURIComponent(id)}`), 404, 'task_not_found');
    }
  }),
];
