import { DispatchrError } from '../errors.js';
import type { TaskState } from '../task.js';
import type { TaskEvent } from './task.events.js';
import { keyOf, transitionTable } from './transition-table.js';

/**
 * `resolveState(row) → transition(event)`: the state a task moves to, or an error naming the state
 * that forbids it. Callers apply the result as a compare-and-set on (id, state, attempt).
 */
export function nextState(from: TaskState, event: TaskEvent): TaskState | undefined {
  return transitionTable()[from][keyOf(event)];
}

export function requireTransition(from: TaskState, event: TaskEvent): TaskState {
  const to = nextState(from, event);
  if (to === undefined) {
    throw new DispatchrError(
      'invalid_transition',
      `${/^[aeiou]/.test(from) ? 'an' : 'a'} ${from} task cannot take "${event.type}"`,
      {
        status: 409,
        details: [{ path: 'state', message: `the task is ${from}` }],
      },
    );
  }
  return to;
}
