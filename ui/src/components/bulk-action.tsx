import { useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { bulkByIds, MAX_BULK_IDS, type BulkKind } from '../api/endpoints';
import type { BulkResult, Problem } from '../api/types';
import { formatNumber } from '../format';
import { ProblemView } from './problem';

/**
 * Bulk retry or cancel of a set of tasks, in two steps: a dry run counts the tasks the API would
 * change (only failed and cancelled ones can be retried, only waiting ones cancelled), then the
 * person confirms that number. More than 1,000 ids go in several calls (the API's limit per call).
 */
type Phase =
  | { step: 'idle' }
  | { step: 'counting' }
  | { step: 'confirm'; ids: string[]; matched: number }
  | { step: 'running'; ids: string[]; matched: number };

const WORDS: Record<BulkKind, { verb: string; done: string; eligible: string }> = {
  retry: { verb: 'Retry', done: 'retried', eligible: 'failed or cancelled' },
  cancel: { verb: 'Cancel', done: 'cancelled', eligible: 'waiting (scheduled, available or retryable)' },
};

function chunks(ids: string[]): string[][] {
  const out: string[][] = [];
  for (let at = 0; at < ids.length; at += MAX_BULK_IDS) out.push(ids.slice(at, at + MAX_BULK_IDS));
  return out;
}

async function run(kind: BulkKind, ids: string[], dryRun: boolean): Promise<number> {
  let total = 0;
  for (const part of chunks(ids)) {
    const answer: BulkResult = await bulkByIds(kind, part, dryRun);
    total += dryRun ? answer.matched : ((kind === 'retry' ? answer.retried : answer.cancelled) ?? 0);
  }
  return total;
}

export interface BulkActionProps {
  kind: BulkKind;
  /** The ids to act on, read when the button is pressed. */
  collect(): Promise<string[]> | string[];
  onDone(message: string): void;
  disabled?: boolean;
  testId: string;
  label: string;
}

export function BulkAction({ kind, collect, onDone, disabled, testId, label }: BulkActionProps) {
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const [problem, setProblem] = useState<Problem | null>(null);
  const words = WORDS[kind];

  const start = async () => {
    setProblem(null);
    setPhase({ step: 'counting' });
    try {
      const ids = [...new Set(await collect())];
      setPhase({ step: 'confirm', ids, matched: ids.length === 0 ? 0 : await run(kind, ids, true) });
    } catch (error) {
      setProblem(problemOf(error));
      setPhase({ step: 'idle' });
    }
  };

  const confirm = async (ids: string[], matched: number) => {
    setPhase({ step: 'running', ids, matched });
    try {
      const changed = await run(kind, ids, false);
      setPhase({ step: 'idle' });
      onDone(`${formatNumber(changed)} ${changed === 1 ? 'task' : 'tasks'} ${words.done}.`);
    } catch (error) {
      setProblem(problemOf(error));
      setPhase({ step: 'confirm', ids, matched });
    }
  };

  return (
    <div class="bulk-action">
      {phase.step === 'idle' || phase.step === 'counting' ? (
        <button
          type="button"
          data-testid={testId}
          disabled={disabled || phase.step === 'counting'}
          onClick={() => void start()}
        >
          {phase.step === 'counting' ? 'Counting…' : label}
        </button>
      ) : (
        <div class="confirm" role="group" aria-label={`Confirm: ${words.verb.toLowerCase()}`}>
          <p>
            <span class="big" data-testid="bulk-dryrun-count">
              {formatNumber(phase.matched)}
            </span>{' '}
            of {formatNumber(phase.ids.length)} {phase.ids.length === 1 ? 'task' : 'tasks'} would be {words.done} (only{' '}
            {words.eligible} tasks can be; the others are left as they are).
          </p>
          <button
            type="button"
            class={kind === 'cancel' ? 'danger' : 'primary'}
            data-testid="bulk-confirm"
            disabled={phase.matched === 0 || phase.step === 'running'}
            onClick={() => void confirm(phase.ids, phase.matched)}
          >
            {phase.step === 'running' ? 'Working…' : `${words.verb} ${formatNumber(phase.matched)}`}
          </button>
          <button type="button" onClick={() => setPhase({ step: 'idle' })} disabled={phase.step === 'running'}>
            Back
          </button>
        </div>
      )}
      {problem ? <ProblemView problem={problem} onDismiss={() => setProblem(null)} /> : null}
    </div>
  );
}
