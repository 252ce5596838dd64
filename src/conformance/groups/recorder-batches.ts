/**
 * Spec 4.7: batches. Request order kept, all or nothing (one invalid item writes nothing, and is
 * named by index), 1 to 1,000 items, `deduplicated` per item, the `basic` view. The large batch is
 * due in a day and cancelled in bulk afterwards, so it sends nothing.
 */
import { expectEqual, expectStatus, expectTrue } from '../assert.js';
import { createTask } from '../wait.js';
import { expectFieldProblem, expectKeyFree, later, recorderCase, tasksPath } from './recorder-support.js';

export const batchCases = [
  recorderCase('4.7 a batch answers 201 with the tasks in request order, basic view', 'MUST', async (kit) => {
    const prefix = kit.unique('order');
    const items = Array.from({ length: 6 }, (_, i) => ({ ...later, path: `/${prefix}/${i}`, body: { i } }));
    const res = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
      body: { tasks: items },
      token: kit.tokens.enqueue,
    });
    expectStatus(res, 201, 'a batch of 6');
    const tasks = res.json?.tasks ?? [];
    expectEqual(
      tasks.map((task: any) => task.path),
      items.map((item) => item.path),
      'the answered tasks, in request order',
    );
    for (const task of tasks) {
      expectEqual(task.deduplicated, false, `deduplicated of ${task.path}`);
      expectTrue(!('body' in task) && !('headers' in task), `${task.path} is in the basic view (no body or headers)`);
      expectEqual(task.bodyBytes, 7, `bodyBytes of ${task.path}`);
    }
  }),

  recorderCase('4.7 one invalid item refuses the whole batch, named by index, nothing written', 'MUST', async (kit) => {
    const keys = Array.from({ length: 5 }, () => kit.unique('all-or-nothing'));
    const items: Array<Record<string, unknown>> = keys.map((key) => ({ ...later, key }));
    items[3] = { ...items[3], runAt: 'not a time', delay: undefined };
    const res = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, { body: { tasks: items } });
    expectFieldProblem(res, 400, 'validation_failed', 'tasks.3.runAt', 'a batch whose item 3 has a bad runAt');
    for (const key of keys) await expectKeyFree(kit, kit.names.queue, key, 'the refused batch');
    const unknown = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
      body: { tasks: [{ ...later }, { ...later, colour: 'red' }] },
    });
    expectFieldProblem(unknown, 400, 'validation_failed', 'tasks.1.colour', 'an unknown field in item 1');
  }),

  recorderCase(
    '4.7 a batch holds 1 to 1,000 tasks: 1,000 accepted, 1,001 and 0 refused',
    'MUST',
    async (kit) => {
      const prefix = kit.unique('big');
      const items = (count: number) => Array.from({ length: count }, (_, i) => ({ ...later, path: `/${prefix}/${i}` }));
      const over = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
        body: { tasks: items(1001) },
      });
      expectFieldProblem(over, 400, 'validation_failed', 'tasks', 'a batch of 1,001');
      const none = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, { body: { tasks: [] } });
      expectFieldProblem(none, 400, 'validation_failed', 'tasks', 'an empty batch');
      const search = `/v1/tasks?queue=${kit.names.queue}&path=${encodeURIComponent(`/${prefix}/`)}&limit=1000`;
      expectEqual((await kit.api.request('GET', search)).json?.tasks?.length, 0, 'tasks written by refused batches');
      const full = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
        body: { tasks: items(1000) },
        timeoutMs: 60_000,
      });
      expectStatus(full, 201, 'a batch of 1,000');
      const ids: string[] = (full.json?.tasks ?? []).map((task: any) => task.id);
      expectEqual(ids.length, 1000, 'tasks answered');
      expectEqual(new Set(ids).size, 1000, 'distinct ids answered');
      // Tidy up: cancel them in bulk (they are due in a day; nothing was sent).
      const cancel = await kit.api.request('POST', '/v1/tasks/cancel', { body: { ids }, timeoutMs: 60_000 });
      expectStatus(cancel, 200, 'the bulk cancel of the 1,000');
      expectEqual(cancel.json?.cancelled, 1000, 'tasks cancelled in bulk');
    },
    { timeoutMs: 60_000 },
  ),

  recorderCase('4.7 deduplicated is per item: false when created, kept for a held key', 'MUST', async (kit) => {
    const held = kit.unique('held');
    const holder = await createTask(kit, kit.names.queue, { ...later, key: held });
    const fresh = kit.unique('fresh');
    const res = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
      body: { tasks: [{ ...later, key: fresh }, { ...later, key: held, path: '/changed' }, { ...later }] },
      token: kit.tokens.enqueue,
    });
    expectStatus(res, 201, 'a batch with one held key');
    const tasks = res.json?.tasks ?? [];
    expectEqual(
      tasks.map((task: any) => task.deduplicated),
      [false, 'kept', false],
      'deduplicated per item',
    );
    expectEqual(tasks[1]?.id, holder.id, 'the held item answers the holder');
    expectEqual(tasks[1]?.path, holder.path, 'the holder is unchanged');
  }),
];
