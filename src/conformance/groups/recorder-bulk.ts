/**
 * Spec 4.9: the bulk actions. Their bodies are validated like a create's (a body without `state`
 * or `ids` names `state`, more than 1,000 ids names `ids`, a bad id names `ids.N`), a refused call
 * changes nothing, and `ids` reaches exactly the tasks listed. The kit's own tasks are addressed
 * by id so a run never touches another case's tasks.
 */
import { expectEqual, expectStatus } from '../assert.js';
import { createTask } from '../wait.js';
import { expectFieldProblem, later, recorderCase, taskPath } from './recorder-support.js';

const SOME_ID = '01890000-0000-7000-8000-000000000000';

export const bulkCases = [
  recorderCase('4.9 a bulk action body is validated, and a refused one changes nothing', 'MUST', async (kit) => {
    const task = await createTask(kit, kit.names.queue, { ...later });
    for (const route of ['/v1/tasks/retry', '/v1/tasks/cancel']) {
      const refusals: Array<[unknown, string]> = [
        [{}, 'state'],
        [{ ids: Array.from({ length: 1001 }, () => SOME_ID) }, 'ids'],
        [{ ids: [task.id, SOME_ID, SOME_ID, 'not-a-uuid'] }, 'ids.3'],
        [{ ids: [task.id], colour: 'red' }, 'colour'],
        [{ ids: [task.id], dryRun: 'yes' }, 'dryRun'],
      ];
      for (const [body, path] of refusals) {
        const res = await kit.api.request('POST', route, { body });
        expectFieldProblem(res, 400, 'validation_failed', path, `${route} with ${JSON.stringify(body).slice(0, 60)}`);
      }
    }
    const cancelRunning = await kit.api.request('POST', '/v1/tasks/cancel', { body: { state: 'running' } });
    expectFieldProblem(cancelRunning, 400, 'validation_failed', 'state', 'bulk cancel of state running');
    expectEqual((await kit.api.request('GET', taskPath(task.id))).json?.state, 'scheduled', 'the task after them');
  }),

  recorderCase('4.9 bulk cancel and retry by ids move exactly those tasks; dryRun moves none', 'MUST', async (kit) => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createTask(kit, kit.names.queue, { ...later })).id);
    const dry = await kit.api.request('POST', '/v1/tasks/cancel', { body: { ids, dryRun: true } });
    expectStatus(dry, 200, 'a dry-run bulk cancel');
    expectEqual(dry.json, { matched: 3, cancelled: 0 }, 'the dry run answer');
    const cancel = await kit.api.request('POST', '/v1/tasks/cancel', { body: { ids: ids.slice(0, 2) } });
    expectEqual(cancel.json, { matched: 2, cancelled: 2 }, 'the bulk cancel of two');
    const states = async () =>
      Promise.all(ids.map(async (id) => (await kit.api.request('GET', taskPath(id))).json?.state));
    expectEqual(await states(), ['cancelled', 'cancelled', 'scheduled'], 'the states after the bulk cancel');
    const retry = await kit.api.request('POST', '/v1/tasks/retry', { body: { ids: [ids[0]], state: 'cancelled' } });
    expectStatus(retry, 200, 'a bulk retry of one');
    expectEqual(retry.json, { matched: 1, retried: 1 }, 'the bulk retry answer');
    expectEqual((await states())[1], 'cancelled', 'a task not listed stays cancelled');
  }),
];
