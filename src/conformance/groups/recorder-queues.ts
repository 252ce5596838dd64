/**
 * Spec 4.10: the queues. `GET /v1/queues` lists every configured queue with counts of every
 * state and a configuration that never shows a signing secret; pause and resume (admin) answer
 * the queue and are idempotent; a paused queue still accepts tasks; purge deletes waiting tasks.
 * Pausing uses the `other` queue only, in serial cases (the dispatch group pauses it too).
 */
import { expectEqual, expectProblem, expectStatus, expectTrue } from '../assert.js';
import type { KitContext } from '../kit.js';
import { createTask } from '../wait.js';
import { recorderCase, taskPath } from './recorder-support.js';

const STATES = ['scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled'];

async function queueNamed(kit: KitContext, name: string): Promise<any> {
  const res = await kit.api.request('GET', '/v1/queues');
  expectStatus(res, 200, 'GET /v1/queues');
  const queue = (res.json?.queues ?? []).find((entry: any) => entry.name === name);
  expectTrue(queue, `GET /v1/queues lists ${name}`);
  return queue;
}

async function post(kit: KitContext, path: string): Promise<any> {
  const res = await kit.api.request('POST', path);
  expectStatus(res, 200, `POST ${path}`);
  return res.json;
}

export const queueCases = [
  recorderCase('4.10 GET /v1/queues lists every configured queue with counts and config', 'MUST', async (kit) => {
    const res = await kit.api.request('GET', '/v1/queues', { token: kit.tokens.read });
    expectStatus(res, 200, 'GET /v1/queues with the read token');
    const names = (res.json?.queues ?? []).map((queue: any) => queue.name);
    for (const name of Object.values(kit.names)) expectTrue(names.includes(name), `the queue ${name} is listed`);
    for (const queue of res.json.queues) {
      for (const field of [
        'paused',
        'counts',
        'oldestDueAgeSeconds',
        'maxConcurrent',
        'rateLimit',
        'currentRate',
        'config',
      ])
        expectTrue(field in queue, `queue ${queue.name} has "${field}"`);
      expectEqual(typeof queue.paused, 'boolean', `${queue.name}.paused`);
      for (const state of STATES)
        expectTrue(Number.isInteger(queue.counts?.[state]), `${queue.name}.counts.${state} is an integer`);
      for (const field of ['target', 'timeout', 'maxAttempts', 'defaultPriority', 'retry'])
        expectTrue(field in (queue.config ?? {}), `${queue.name}.config has "${field}"`);
    }
    const kitQueue = res.json.queues.find((queue: any) => queue.name === kit.names.queue);
    expectEqual(kitQueue.config.timeout, 2000, `${kit.names.queue}.config.timeout in milliseconds`);
    expectEqual(kitQueue.config.maxAttempts, 3, `${kit.names.queue}.config.maxAttempts`);
    expectEqual(kitQueue.config.retry?.strategy, 'fixed', `${kit.names.queue}.config.retry.strategy`);
    for (const secret of kit.secrets) {
      const bare = secret.replace(/^whsec_/, '');
      expectTrue(!res.text.includes(bare), 'GET /v1/queues shows a signing secret');
    }
  }),

  recorderCase(
    '4.10 pause and resume answer the queue, are idempotent, and a paused queue accepts tasks',
    'MUST',
    async (kit) => {
      const path = `/v1/queues/${kit.names.other}`;
      try {
        const paused = await post(kit, `${path}/pause`);
        expectEqual(paused?.name, kit.names.other, 'the pause answers the queue');
        expectEqual(paused?.paused, true, 'paused after pause');
        expectEqual((await post(kit, `${path}/pause`))?.paused, true, 'pausing twice is not an error');
        expectEqual((await queueNamed(kit, kit.names.other)).paused, true, 'GET /v1/queues shows it paused');
        const task = await createTask(kit, kit.names.other, { path: `/${kit.unique('paused')}` });
        expectEqual(task.state, 'available', 'a task created in a paused queue');
        const read = await kit.api.request('GET', taskPath(task.id));
        expectEqual(read.json?.waiting?.code, 'queue-paused', 'waiting.code of a task in a paused queue');
        expectStatus(await kit.api.request('POST', taskPath(task.id, 'cancel')), 200, 'cancel it');
      } finally {
        const resumed = await post(kit, `${path}/resume`);
        expectEqual(resumed?.paused, false, 'not paused after resume');
      }
      expectEqual((await post(kit, `${path}/resume`))?.paused, false, 'resuming a running queue is not an error');
    },
    { serial: true },
  ),

  recorderCase(
    '4.10 counts follow the tasks, and purge deletes the waiting tasks',
    'MUST',
    async (kit) => {
      const path = `/v1/queues/${kit.names.other}`;
      await post(kit, `${path}/pause`);
      try {
        const before = (await queueNamed(kit, kit.names.other)).counts;
        const ids: string[] = [];
        for (let i = 0; i < 3; i++)
          ids.push((await createTask(kit, kit.names.other, { path: `/${kit.unique('count')}` })).id);
        const during = (await queueNamed(kit, kit.names.other)).counts;
        expectEqual(during.available, before.available + 3, 'counts.available after 3 creates in the paused queue');
        const purged = await post(kit, `${path}/purge`);
        expectEqual(purged?.queue, kit.names.other, 'the purge answers the queue');
        expectTrue(purged?.purged >= 3, `purged counts the waiting tasks (got ${purged?.purged})`);
        for (const id of ids) expectProblem(await kit.api.request('GET', taskPath(id)), 404, 'task_not_found');
        const after = (await queueNamed(kit, kit.names.other)).counts;
        expectEqual(after.available, 0, 'counts.available after the purge');
      } finally {
        await post(kit, `${path}/resume`);
      }
    },
    { serial: true },
  ),
];
