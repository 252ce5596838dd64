import { useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { cronAction, triggerCron } from '../api/endpoints';
import type { CronEntry, CronTriggered, Problem } from '../api/types';
import { CronDelete } from './cron-delete';
import { ProblemView } from './problem';

interface CronActionsProps {
  entry: CronEntry;
  /** After pause or resume, with the entry as the API now has it. */
  onChanged(entry: CronEntry, message: string): void;
  onTriggered(fired: CronTriggered): void;
  onDeleted(): void;
}

/**
 * Pause / resume, "Trigger now" and delete: admin actions, so the page renders this only for an
 * admin token (the API answers 403 to the others all the same). Pause and resume are offered for
 * the statuses they change; a trigger fires in any status, as an extra run beside the schedule.
 */
export function CronActions({ entry, onChanged, onTriggered, onDeleted }: CronActionsProps) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  const pause = (paused: boolean) =>
    void run(async () => {
      const next = await cronAction(entry.name, paused ? 'pause' : 'resume');
      onChanged(
        next,
        paused
          ? `${entry.name} is paused: its fire times pass without a run until it is resumed.`
          : `${entry.name} fires on schedule again, from now on.`,
      );
    });
  const trigger = () => void run(async () => onTriggered(await triggerCron(entry.name)));

  return (
    <div class="cron-actions">
      <div class="actions">
        {entry.status === 'active' ? (
          <button type="button" data-testid="cron-pause" disabled={busy} onClick={() => pause(true)}>
            Pause
          </button>
        ) : null}
        {entry.status === 'paused' ? (
          <button type="button" data-testid="cron-resume" disabled={busy} onClick={() => pause(false)}>
            Resume
          </button>
        ) : null}
        <button type="button" class="primary" data-testid="cron-trigger" disabled={busy} onClick={trigger}>
          Trigger now
        </button>
        {entry.source === 'api' || entry.status === 'orphaned' ? (
          <CronDelete entry={entry} onDeleted={onDeleted} />
        ) : null}
      </div>
      {problem ? <ProblemView problem={problem} onDismiss={() => setProblem(null)} /> : null}
    </div>
  );
}
