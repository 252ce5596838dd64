import { setup } from 'xstate';
import type { TaskEvent } from './task.events.js';

/**
 * The single authority on a task's lifecycle: which events are legal in which state and where they
 * lead. No actor lives per task (the database row is the truth); `transition-table.ts` derives a
 * lookup table from this machine once at start-up for the hot path.
 */
export const taskMachine = setup({
  types: {
    events: {} as TaskEvent,
  },
  guards: {
    budgetLeft: ({ event }) => 'exhausted' in event && !event.exhausted,
  },
}).createMachine({
  id: 'task',
  initial: 'available',
  states: {
    scheduled: {
      on: { claim: 'running', cancel: 'cancelled', run: 'available' },
    },
    available: {
      on: { claim: 'running', cancel: 'cancelled' },
    },
    running: {
      on: {
        'dispatch.succeeded': 'completed',
        'dispatch.failed': [{ guard: 'budgetLeft', target: 'retryable' }, { target: 'failed' }],
        'dispatch.discarded': 'failed',
        rescue: [{ guard: 'budgetLeft', target: 'retryable' }, { target: 'failed' }],
        interrupt: 'available',
        // The operator's cancel of an attempt in flight: the row is cancelled at once, the lease
        // stays with its holder until it acknowledges (spec 11.6).
        'cancel.running': 'cancelled',
      },
    },
    retryable: {
      on: { claim: 'running', cancel: 'cancelled', run: 'available' },
    },
    // Finished states are not `type: 'final'`: a manual retry brings failed and cancelled tasks back.
    completed: {},
    failed: {
      on: { retry: 'available' },
    },
    cancelled: {
      // The holder of a running task that was cancelled gives its lease up once its request is cut.
      on: { retry: 'available', 'cancel.acknowledged': 'cancelled' },
    },
  },
});
