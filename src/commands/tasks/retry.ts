import { Args, Flags } from '@oclif/core';
import type { OperatorBackend, RetryFilterInput, RetryState } from '../../operator/backend.js';
import { confirm } from '../../operator/confirm.js';
import { filterFlags, readFilter, usageError } from '../../operator/filter-flags.js';
import { formatTaskAction } from '../../operator/format-task.js';
import { OperatorCommand } from '../../operator/operator-command.js';
import { createProgress, createSpinnerLine } from '../../operator/progress.js';

const RETRY_STATES: readonly RetryState[] = ['failed', 'cancelled'];

export default class TasksRetry extends OperatorCommand<typeof TasksRetry> {
  static override description = [
    'Retry a failed or cancelled task now, with a fresh attempt budget (its history is kept).',
    'Without an ID, retry every task a filter matches: --state failed and/or cancelled, narrowed by --queue, --since, --until, --path, --search.',
    'A bulk retry asks for confirmation (--yes skips it; without a terminal it is required) and shows progress on a terminal.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> tasks retry 0190a1b2-0000-7000-8000-000000000000',
    '<%= config.bin %> tasks retry --queue emails --state failed --since 1h',
    '<%= config.bin %> tasks retry --state failed,cancelled --search user-42 --yes --json',
    '<%= config.bin %> tasks retry --queue emails --state failed --dry-run',
  ];
  static override args = {
    id: Args.string({ description: 'The task id; omit it for a bulk retry.', required: false }),
  };
  static override flags = {
    ...filterFlags,
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (bulk retry).' }),
    'dry-run': Flags.boolean({ description: 'Count the tasks a bulk retry would take, and change nothing.' }),
  };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(TasksRetry);
    const filter = readFilter(this.flags);
    const filtered = filter.queue ?? filter.states ?? filter.since ?? filter.until ?? filter.path ?? filter.search;
    if (args.id !== undefined) {
      if (filtered !== undefined || this.flags['dry-run'])
        throw usageError('give a task id or filter flags (--state ...), not both');
      const task = await backend.actOnTask(args.id, 'retry');
      this.print(task, () => formatTaskAction('retried', task));
      return;
    }
    await this.bulk(backend, { ...filter, states: retryStates(filter.states) });
  }

  private async bulk(backend: OperatorBackend, filter: RetryFilterInput): Promise<void> {
    const matched = await backend.countRetryable(filter);
    const what = `${filter.states.join(' or ')} task${matched === 1 ? '' : 's'}${filter.queue ? ` of queue ${filter.queue}` : ''}`;
    if (this.flags['dry-run'] || matched === 0) {
      const dry = { matched, retried: 0 };
      this.print(dry, () =>
        matched === 0
          ? `no ${what} match; nothing to retry`
          : `${matched} ${what} match; nothing was changed (dry run)`,
      );
      return;
    }
    await confirm(`Retry ${matched} ${what}?`, { yes: this.flags.yes });
    const progress =
      backend.mode === 'database'
        ? createProgress('retried', matched)
        : createSpinnerLine(`retrying ${matched} ${what} on the recorder`);
    let result;
    try {
      result = await backend.retryMatching(filter, (retried) => progress.update(retried));
    } finally {
      progress.finish();
    }
    const skipped = result.matched - result.retried;
    this.print(
      result,
      () =>
        `retried ${result.retried} ${what}${skipped > 0 ? ` (${skipped} changed meanwhile or hold a key an unfinished task has)` : ''}`,
    );
  }
}

/** A bulk retry needs --state, and only failed and cancelled tasks can be retried. */
function retryStates(states: string[] | undefined): RetryState[] {
  if (states === undefined)
    throw usageError('give a task id, or --state failed and/or cancelled to retry every matching task');
  const wrong = states.filter((state) => !(RETRY_STATES as readonly string[]).includes(state));
  if (wrong.length > 0)
    throw usageError(`--state: only failed and cancelled tasks can be retried, not ${wrong.join(', ')}`);
  return states as RetryState[];
}
