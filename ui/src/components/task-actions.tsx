import { useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { deleteTask, taskAction } from '../api/endpoints';
import { FINISHED_STATES, WAITING_STATES, type Problem, type Task } from '../api/types';
import { ProblemView } from './problem';

/**
 * Run now, cancel, retry and delete, offered in the states the task machine allows them (the API
 * decides in the end and answers 409 with the state otherwise). Delete asks once more. A running
 * task may be cancelled too: its request is cut, though its target may already have done the work.
 */
export function TaskActions({ task, onChanged, onDeleted }: { task: Task; onChanged(): void; onDeleted(): void }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const act = async (action: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      after();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  const simple = (name: 'run' | 'cancel' | 'retry') => () => void act(() => taskAction(task.id, name), onChanged);

  const waiting = WAITING_STATES.includes(task.state);
  const finished = FINISHED_STATES.includes(task.state);
  const canRun = task.state === 'scheduled' || task.state === 'retryable';
  const canRetry = task.state === 'failed' || task.state === 'cancelled';
  const running = task.state === 'running';
  return (
    <div>
      <div class="actions">
        {canRun ? (
          <button type="button" class="primary" data-testid="task-run" disabled={busy} onClick={simple('run')}>
            Run now
          </button>
        ) : null}
        {canRetry ? (
          <button type="button" class="primary" data-testid="task-retry" disabled={busy} onClick={simple('retry')}>
            Retry
          </button>
        ) : null}
        {waiting || running ? (
          <button
            type="button"
            data-testid="task-cancel"
            disabled={busy}
            onClick={simple('cancel')}
            title={running ? 'Cuts the request in flight; its target may already have done the work.' : undefined}
          >
            Cancel
          </button>
        ) : null}
        {finished && !confirmDelete ? (
          <button
            type="button"
            class="danger"
            data-testid="task-delete"
            disabled={busy}
            onClick={() => setConfirmDelete(true)}
          >
            Delete…
          </button>
        ) : null}
      </div>
      {running ? (
        <p class="muted" data-testid="task-cancel-running-note">
          Cancelling cuts the request in flight; its target may already have done the work.
        </p>
      ) : null}
      {confirmDelete ? (
        <div class="confirm" role="group" aria-label="Confirm the delete">
          <p>Delete this task and its attempts for good?</p>
          <button
            type="button"
            class="danger"
            data-testid="delete-confirm"
            disabled={busy}
            onClick={() => void act(() => deleteTask(task.id), onDeleted)}
          >
            Delete for good
          </button>
          <button type="button" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
        </div>
      ) : null}
      {problem ? <ProblemView problem={problem} onDismiss={() => setProblem(null)} /> : null}
    </div>
  );
}
