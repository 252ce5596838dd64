import { transition } from 'xstate';
import { TASK_STATES, type TaskState } from '../task.js';
import { taskMachine } from './task.machine.js';
import { BUDGETED_EVENTS, TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from './task.events.js';

/**
 * A lookup table derived from the machine once: (state, event[, exhausted]) → next state.
 * A pure xstate `transition()` costs ~40 µs; a property lookup costs nothing, and the hot path
 * makes one per task.
 */
export type TransitionKey = TaskEventType | `${'dispatch.failed' | 'rescue'}:${'budget' | 'exhausted'}`;
export type TransitionTable = Record<TaskState, Partial<Record<TransitionKey, TaskState>>>;

export function keyOf(event: TaskEvent): TransitionKey {
  if (event.type === 'dispatch.failed' || event.type === 'rescue') {
    return `${event.type}:${event.exhausted ? 'exhausted' : 'budget'}`;
  }
  return event.type;
}

function sampleEvents(type: TaskEventType): TaskEvent[] {
  if ((BUDGETED_EVENTS as readonly string[]).includes(type)) {
    return [
      { type, exhausted: false } as TaskEvent,
      { type, exhausted: true } as TaskEvent,
    ];
  }
  return [{ type } as TaskEvent];
}

export function deriveTransitionTable(): TransitionTable {
  const table = Object.fromEntries(TASK_STATES.map((state) => [state, {}])) as TransitionTable;
  for (const state of TASK_STATES) {
    const snapshot = taskMachine.resolveState({ value: state });
    for (const type of TASK_EVENT_TYPES) {
      for (const event of sampleEvents(type)) {
        const [next] = transition(taskMachine, snapshot, event);
        // xstate leaves the snapshot unchanged for an event no transition handles.
        const handled = taskMachine.getTransitionData(snapshot, event).length > 0;
        if (handled) table[state][keyOf(event)] = next.value as TaskState;
      }
    }
  }
  return table;
}

let cached: TransitionTable | undefined;
export function transitionTable(): TransitionTable {
  cached ??= deriveTransitionTable();
  return cached;
}
