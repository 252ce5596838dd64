import { useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { deleteCron } from '../api/endpoints';
import type { CronEntry, Problem } from '../api/types';
import { ProblemView } from './problem';

/**
 * Deleting an entry (an API one, or a config one the config no longer has) cannot be undone, so,
 * like a purge, it asks for the entry's name to be typed first. The tasks it created stay.
 */
export function CronDelete({ entry, onDeleted }: { entry: CronEntry; onDeleted(): void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const remove = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await deleteCron(entry.name);
      onDeleted();
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" class="danger" data-testid="cron-delete" onClick={() => setOpen(true)}>
        Delete…
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label="Confirm the delete">
      <p>
        This deletes the cron entry <strong class="break">{entry.name}</strong> for good: it will not fire again. The
        tasks it created stay. Type the entry's name to confirm.
      </p>
      <label for="cron-delete-input">Entry name</label>
      <input
        id="cron-delete-input"
        data-testid="cron-delete-input"
        autocomplete="off"
        value={typed}
        onInput={(event) => setTyped(event.currentTarget.value)}
      />
      <button
        type="button"
        class="danger"
        data-testid="cron-delete-confirm"
        disabled={typed !== entry.name || busy}
        onClick={() => void remove()}
      >
        Delete the entry
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Keep it
      </button>
      {problem ? <ProblemView problem={problem} /> : null}
    </div>
  );
}
