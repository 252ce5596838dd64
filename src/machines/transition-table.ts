import { transition } from 'xstate';
import { TASK_STATES, type TaskState } from '../task.js';
import { taskMachine } from './task.machine.js';
import { BUDGETED_EVENTS, TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from './task.events.js';
import { TRANSITION_PATCHES, type PatchedKey, type TransitionPatch } from './transition-patch.js';

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
    return [{ type, exhausted: false } as TaskEvent, { type, exhausted: true } as TaskEvent];
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

const typeOfKey = (key: string): string => key.split(':')[0];

/** The states an event may start from, in TASK_STATES order (a budgeted event: with either budget). */
export function sourcesOf(type: TaskEventType): TaskState[] {
  const table = transitionTable();
  return TASK_STATES.filter((state) => Object.keys(table[state]).some((key) => typeOfKey(key) === type));
}

/** The state `event` leads to from `state`; undefined when the machine refuses it. */
export function targetOf(state: TaskState, event: TaskEvent): TaskState | undefined {
  return transitionTable()[state][keyOf(event)];
}

/** What the transition writes besides the state (transition-patch.ts). */
export function patchOf(event: TaskEvent): Readonly<TransitionPatch> {
  return TRANSITION_PATCHES[keyOf(event) as PatchedKey];
}

/**
 * The finished states: those a transition enters by setting finalized_at. The rest are unfinished
 * (a dedup key is unique among them); the table, not a list, says which is which.
 */
export function finishedStates(): TaskState[] {
  const table = transitionTable();
  const entered = new Set<TaskState>();
  for (const state of TASK_STATES) {
    for (const [key, to] of Object.entries(table[state]) as [PatchedKey, TaskState][]) {
      if (TRANSITION_PATCHES[key].finalized === 'set') entered.add(to);
    }
  }
  return TASK_STATES.filter((state) => entered.has(state));
}

export function unfinishedStates(): TaskState[] {
  const finished = new Set(finishedStates());
  return TASK_STATES.filter((state) => !finished.has(state));
}
