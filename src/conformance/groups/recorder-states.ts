/**
 * Spec 3.1 and 4.9: every state × action pair. For each state, the actions the transition table
 * allows answer 200 with the task in its new state (DELETE: 204, then the task is gone); every
 * other pair is 409: `invalid_transition` naming the state for cancel, retry and run, and
 * `invalid_state` for deleting an unfinished task. A refused action leaves the task as it was.
 */
import { excerpt, expectEqual, expectProblem, expectStatus, expectTrue, KitFailure } from '../assert.js';
import type { ConformanceCase, KitContext } from '../kit.js';
import { recorderCase, sleep, taskPath } from './recorder-support.js';
import { type State, taskIn } from './recorder-state-setup.js';

type Action = 'cancel' | 'retry' | 'run' | 'delete';
const ACTIONS: Action[] = ['cancel', 'retry', 'run', 'delete'];

/** The state an allowed action leads to (3.1); `gone` for a delete; absent: refused. */
const ALLOWED: Record<State, Partial<Record<Action, State | 'gone'>>> = {
  scheduled: { cancel: 'cancelled', run: 'available' },
  available: { cancel: 'cancelled' },
  running: { cancel: 'cancelled' },
  retryable: { cancel: 'cancelled', run: 'available' },
  completed: { delete: 'gone' },
  failed: { retry: 'available', delete: 'gone' },
  cancelled: { retry: 'available', delete: 'gone' },
};

function act(kit: KitContext, id: string, action: Action) {
  return action === 'delete' ? kit.api.request('DELETE', taskPath(id)) : kit.api.request('POST', taskPath(id, action));
}

async function expectRefused(kit: KitContext, id: string, state: State, action: Action): Promise<void> {
  const res = await act(kit, id, action);
  const what = `${action} of a ${state} task`;
  try {
    if (action === 'delete') expectProblem(res, 409, 'invalid_state');
    else expectProblem(res, 409, 'invalid_transition');
  } catch (error) {
    throw new KitFailure(`${what}: ${(error as Error).message}`);
  }
  if (action !== 'delete') {
    const named = (res.json?.errors ?? []).find((error: any) => error?.path === 'state');
    expectTrue(named, `${what}: errors should name the state ({ path: "state" }): ${excerpt(res.text)}`);
    expectTrue(
      String(named.message ?? '').includes(state) || String(res.json?.detail ?? '').includes(state),
      `${what}: the 409 should name the state "${state}": ${excerpt(res.text)}`,
    );
  }
}

async function expectAllowed(kit: KitContext, id: string, state: State, action: Action, to: State | 'gone') {
  const res = await act(kit, id, action);
  const what = `${action} of a ${state} task`;
  if (to === 'gone') {
    expectStatus(res, 204, what);
    expectProblem(await kit.api.request('GET', taskPath(id)), 404, 'task_not_found');
    return;
  }
  expectStatus(res, 200, what);
  expectEqual(res.json?.state, to, `${what}: the answered state`);
  if (action === 'retry') expectEqual(res.json?.attempt, 0, `${what}: attempt back to 0`);
}

/** Refused pairs on one task (checking it did not move), then each allowed action on a fresh one. */
async function checkState(kit: KitContext, state: State): Promise<void> {
  const allowed = ACTIONS.filter((action) => ALLOWED[state][action] !== undefined);
  const refused = ACTIONS.filter((action) => ALLOWED[state][action] === undefined);
  const first = await taskIn(kit, state);
  const others = await Promise.all(allowed.slice(1).map(() => taskIn(kit, state)));
  for (const action of refused) await expectRefused(kit, first, state, action);
  const after = await kit.api.request('GET', taskPath(first));
  expectEqual(after.json?.state, state, `the ${state} task after the refused actions`);
  const ids = [first, ...others];
  for (const [i, action] of allowed.entries()) await expectAllowed(kit, ids[i], state, action, ALLOWED[state][action]!);
}

function stateCase(
  state: State,
  extra: Pick<ConformanceCase, 'serial' | 'timeoutMs'> = {},
  before?: (kit: KitContext) => Promise<() => Promise<void>>,
) {
  const allowed = ACTIONS.filter((action) => ALLOWED[state][action] !== undefined);
  const refused = ACTIONS.filter((action) => ALLOWED[state][action] === undefined);
  const article = /^[aeiou]/.test(state) ? 'an' : 'a';
  const name = `3.1 ${article} ${state} task: ${allowed.join(' and ') || 'nothing'} allowed, ${refused.join(', ')} 409`;
  return recorderCase(
    name,
    'MUST',
    async (kit) => {
      const after = before ? await before(kit) : undefined;
      try {
        await checkState(kit, state);
      } finally {
        await after?.();
      }
    },
    { timeoutMs: 40_000, ...extra },
  );
}

/** Pauses the `other` queue so a task created there stays `available`; resumes it afterwards. */
async function pauseOther(kit: KitContext): Promise<() => Promise<void>> {
  expectStatus(await kit.api.request('POST', `/v1/queues/${kit.names.other}/pause`), 200, 'pause the other queue');
  return async () => {
    expectStatus(await kit.api.request('POST', `/v1/queues/${kit.names.other}/resume`), 200, 'resume the other queue');
  };
}

export const stateCases = [
  stateCase('scheduled'),
  stateCase('available', { serial: true }, pauseOther),
  stateCase('running'),
  stateCase('retryable'),
  stateCase('completed'),
  stateCase('failed'),
  stateCase('cancelled'),

  recorderCase(
    '11.6 retry of a task cancelled while running is 409 lease_held until its lease is released',
    'MUST',
    async (kit) => {
      const id = await taskIn(kit, 'running');
      expectStatus(await kit.api.request('POST', taskPath(id, 'cancel')), 200, 'cancel the running task');
      // The holder may release the lease at once (the cut is immediate on PostgreSQL), so a 200
      // is allowed; what must never come is another answer, and a retry must work once released.
      const first = await kit.api.request('POST', taskPath(id, 'retry'));
      kit.log(`retry right after the cancel of a running task: ${first.status} ${first.json?.code ?? ''}`);
      if (first.status === 409) {
        expectProblem(first, 409, 'lease_held');
        const paths = (first.json?.errors ?? []).map((error: any) => error?.path);
        expectTrue(paths.includes('leaseExpiresAt'), `lease_held names leaseExpiresAt: ${excerpt(first.text)}`);
      } else {
        expectStatus(first, 200, 'retry right after the cancel');
        return void (await kit.api.request('POST', taskPath(id, 'cancel')));
      }
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
        const res = await kit.api.request('POST', taskPath(id, 'retry'));
        if (res.status === 200) {
          expectEqual(res.json?.state, 'available', 'the retried task');
          // Its request would hang again: cancel it, so it does not end in a timeout.
          return void (await kit.api.request('POST', taskPath(id, 'cancel')));
        }
        expectProblem(res, 409, 'lease_held');
      }
      throw new KitFailure('the retry was still lease_held 15 s after the cancel (lease 6 s)');
    },
    { timeoutMs: 40_000 },
  ),
];
