/**
 * Puts a task into each state of spec section 3 using only the API and the kit target's scripted
 * answers (no database access, no hook in the implementation):
 *   scheduled  due in a day;
 *   available  due now on the `other` queue while it is paused (the caller pauses it);
 *   running    its request hangs at the target (4 s timeout, 1 attempt);
 *   retryable  a 503 with the task's own retry delay of an hour (11.3). Not `Retry-After`: the
 *              spec caps it at the strategy's maximum delay, the kit queue's 300 ms;
 *   completed  a 200; failed: a 400; cancelled: a scheduled task cancelled.
 * Hangs and 503s go to the `other` queue (paused only by serial cases, which run alone).
 */
import { expectStatus } from '../assert.js';
import type { KitContext } from '../kit.js';
import { createTask, waitForTask } from '../wait.js';
import { later, taskPath } from './recorder-support.js';

export type State = 'scheduled' | 'available' | 'running' | 'retryable' | 'completed' | 'failed' | 'cancelled';

const SETTLE_MS = 20_000;

export async function taskIn(kit: KitContext, state: State): Promise<string> {
  const marker = kit.unique(`state-${state}`);
  const queue = kit.names.queue;
  // Timeouts and 503s slow a queue down (spec 6, backpressure): keep them off the queue the
  // dispatch group times its requests on.
  const quiet = kit.names.other;
  switch (state) {
    case 'scheduled':
      return (await createTask(kit, queue, { ...later, path: `/${marker}` })).id;
    case 'available': {
      const task = await createTask(kit, kit.names.other, { path: `/${marker}` });
      await waitForTask(kit, task.id, (t) => t.state === 'available', 'a task due now in the paused queue');
      return task.id;
    }
    case 'running': {
      const task = await createTask(kit, quiet, { path: `/${marker}/r/hang`, timeout: '4s', maxAttempts: 1 });
      await kit.target.waitFor(marker, 1, SETTLE_MS);
      await waitForTask(kit, task.id, (t) => t.state === 'running', 'a task whose request hangs is running');
      return task.id;
    }
    case 'retryable': {
      const task = await createTask(kit, quiet, { path: `/${marker}/r/503`, retry: { options: { delay: '1h' } } });
      await waitForTask(kit, task.id, (t) => t.state === 'retryable', 'a task answered 503 is retryable', SETTLE_MS);
      return task.id;
    }
    case 'completed':
    case 'failed': {
      const status = state === 'completed' ? 200 : 400;
      const task = await createTask(kit, queue, { path: `/${marker}/r/${status}` });
      await waitForTask(kit, task.id, (t) => t.state === state, `a task answered ${status} is ${state}`, SETTLE_MS);
      return task.id;
    }
    case 'cancelled': {
      const task = await createTask(kit, queue, { ...later, path: `/${marker}` });
      expectStatus(await kit.api.request('POST', taskPath(task.id, 'cancel')), 200, 'cancel a scheduled task');
      return task.id;
    }
  }
}
