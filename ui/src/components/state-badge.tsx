import type { TaskState } from '../api/types';

export function StateBadge({ state, testId }: { state: TaskState | string; testId?: string }) {
  return (
    <span class={`badge state-${state}`} data-testid={testId}>
      {state}
    </span>
  );
}
