import { useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { purgeQueue } from '../api/endpoints';
import type { Problem, Queue } from '../api/types';
import { formatNumber } from '../format';
import { ProblemView } from './problem';

/**
 * Purge deletes every waiting task of the queue and cannot be undone, so it asks for the queue's
 * name to be typed first (running tasks finish; finished ones stay).
 */
export function PurgePanel({ queue, onDone }: { queue: Queue; onDone(message: string): void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const waiting = queue.counts.scheduled + queue.counts.available + queue.counts.retryable;

  const purge = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await purgeQueue(queue.name);
      setOpen(false);
      setTyped('');
      onDone(`Purged ${queue.name}: ${formatNumber(answer.purged)} waiting tasks deleted.`);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" class="danger" data-testid="queue-purge" onClick={() => setOpen(true)}>
        Purge…
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label="Confirm the purge">
      <p>
        This deletes the {formatNumber(waiting)} waiting tasks of <strong>{queue.name}</strong> (scheduled, available
        and retryable) for good. Type the queue's name to confirm.
      </p>
      <label for="purge-confirm-input">Queue name</label>
      <input
        id="purge-confirm-input"
        data-testid="purge-confirm-input"
        autocomplete="off"
        value={typed}
        onInput={(event) => setTyped(event.currentTarget.value)}
      />
      <button
        type="button"
        class="danger"
        data-testid="purge-confirm"
        disabled={typed !== queue.name || busy}
        onClick={() => void purge()}
      >
        Delete the waiting tasks
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Keep them
      </button>
      {problem ? <ProblemView problem={problem} /> : null}
    </div>
  );
}
