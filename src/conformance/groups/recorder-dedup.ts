/**
 * Spec 4.4 and 11.2: de-duplication by `key` (the holder is answered, nothing is created) and
 * the `Idempotency-Key` header (a replay answers the stored response, a different request under
 * the same key is 422). Tasks are due in a day so the holder stays unfinished while the case runs.
 */
import { expectEqual, expectProblem, expectStatus, expectTrue } from '../assert.js';
import { createTask } from '../wait.js';
import { expectFieldProblem, later, recorderCase, taskPath, tasksPath } from './recorder-support.js';

export const dedupCases = [
  recorderCase(
    '4.4 a create meeting an unfinished key holder answers 200 kept with the holder',
    'MUST',
    async (kit) => {
      const key = kit.unique('dedup');
      const first = await kit.api.request('POST', tasksPath(kit.names.queue), {
        body: { ...later, key, path: '/first' },
        token: kit.tokens.enqueue,
      });
      expectStatus(first, 201, 'the first create with the key');
      const second = await kit.api.request('POST', tasksPath(kit.names.queue), {
        body: { ...later, key, path: '/second' },
        token: kit.tokens.enqueue,
      });
      expectStatus(second, 200, 'the second create with the key');
      expectEqual(second.headers['dispatchr-deduplicated'], 'kept', 'Dispatchr-Deduplicated');
      expectEqual(second.json?.id, first.json.id, 'the answered task is the holder');
      expectEqual(second.json?.path, '/first', 'the holder is unchanged (keyMode keep)');
      const holder = await kit.api.request('GET', `/v1/queues/${kit.names.queue}/keys/${encodeURIComponent(key)}`);
      expectEqual(holder.json?.id, first.json.id, 'GET by key answers the holder');
    },
  ),

  recorderCase('4.4 concurrent creates with one key make exactly one task', 'MUST', async (kit) => {
    const key = kit.unique('race');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        kit.api.request('POST', tasksPath(kit.names.queue), { body: { ...later, key }, token: kit.tokens.enqueue }),
      ),
    );
    const ids = new Set(answers.map((res) => res.json?.id));
    expectEqual(ids.size, 1, 'distinct task ids among 8 simultaneous creates with one key');
    expectEqual(answers.filter((res) => res.status === 201).length, 1, 'creates answered 201');
    expectTrue(
      answers.every((res) => res.status === 201 || res.headers['dispatchr-deduplicated'] === 'kept'),
      'every 200 carries Dispatchr-Deduplicated: kept',
    );
  }),

  recorderCase('4.4 the key is free again once its holder is finished', 'MUST', async (kit) => {
    const key = kit.unique('free');
    const first = await createTask(kit, kit.names.queue, { ...later, key });
    expectStatus(await kit.api.request('POST', taskPath(first.id, 'cancel')), 200, 'cancel the holder');
    const again = await kit.api.request('POST', tasksPath(kit.names.queue), { body: { ...later, key } });
    expectStatus(again, 201, 'a create with the key of a cancelled task');
    expectTrue(again.json?.id !== first.id, 'a new task was created');
  }),

  recorderCase(
    '4.4 an Idempotency-Key replay answers the same status and task with Idempotent-Replayed',
    'MUST',
    async (kit) => {
      const idem = kit.unique('idem');
      const path = `/${kit.unique('idem-path')}`;
      const send = (token = kit.tokens.enqueue) =>
        kit.api.request('POST', tasksPath(kit.names.queue), {
          rawBody: JSON.stringify({ ...later, path }),
          token,
          headers: { 'idempotency-key': idem },
        });
      const first = await send();
      expectStatus(first, 201, 'the first request');
      expectTrue(first.headers['idempotent-replayed'] === undefined, 'the first answer is not marked replayed');
      const replay = await send();
      expectStatus(replay, 201, 'the replay');
      expectEqual(replay.headers['idempotent-replayed'], 'true', 'Idempotent-Replayed');
      expectEqual(replay.json?.id, first.json.id, 'the replayed task id');
      expectEqual(replay.headers.location, first.headers.location, 'the replayed Location');
      const list = await kit.api.request('GET', `/v1/tasks?queue=${kit.names.queue}&path=${encodeURIComponent(path)}`);
      expectEqual(list.json?.tasks?.length, 1, 'tasks created by the request and its replay');
      // Scoped per token (4.4): another token's request with the same key is its own.
      const other = await send(kit.tokens.admin);
      expectStatus(other, 201, 'the same key from another token');
      expectTrue(other.headers['idempotent-replayed'] === undefined, "another token's request is not a replay");
      expectTrue(other.json?.id !== first.json.id, "another token's request creates its own task");
    },
  ),

  recorderCase(
    '4.4 an Idempotency-Key reused with a different body is 422 idempotency_key_reused',
    'MUST',
    async (kit) => {
      const idem = kit.unique('idem');
      const headers = { 'idempotency-key': idem };
      const first = await kit.api.request('POST', tasksPath(kit.names.queue), {
        body: { ...later, path: '/a' },
        headers,
      });
      expectStatus(first, 201, 'the first request');
      const path = `/${kit.unique('reused')}`;
      const reused = await kit.api.request('POST', tasksPath(kit.names.queue), { body: { ...later, path }, headers });
      expectProblem(reused, 422, 'idempotency_key_reused');
      const list = await kit.api.request('GET', `/v1/tasks?queue=${kit.names.queue}&path=${encodeURIComponent(path)}`);
      expectEqual(list.json?.tasks?.length, 0, 'tasks written by the refused request');
      const batch = await kit.api.request('POST', `${tasksPath(kit.names.queue)}/batch`, {
        body: { tasks: [{ ...later, path: '/a' }] },
        headers,
      });
      expectProblem(batch, 422, 'idempotency_key_reused');
    },
  ),

  recorderCase('4.4 an Idempotency-Key outside 1 to 255 visible ASCII characters is 400', 'MUST', async (kit) => {
    for (const idem of ['x'.repeat(256), 'has space']) {
      const res = await kit.api.request('POST', tasksPath(kit.names.queue), {
        body: { ...later },
        headers: { 'idempotency-key': idem },
      });
      expectFieldProblem(res, 400, 'validation_failed', 'Idempotency-Key', `Idempotency-Key of ${idem.length} chars`);
    }
  }),
];
