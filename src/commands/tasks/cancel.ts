import { Args, Flags } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { formatTaskAction } from '../../operator/format-task.js';
import { usageError } from '../../operator/filter-flags.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class TasksCancel extends OperatorCommand<typeof TasksCancel> {
  static override description =
    "Cancel a waiting or running task. A running task's request is cut (its target may already have done the work). A finished task is refused (exit 1) with the state named.";
  static override examples = [
    '<%= config.bin %> tasks cancel 0190a1b2-0000-7000-8000-000000000000',
    '<%= config.bin %> tasks cancel --queue search --key reindex:42',
  ];
  static override args = { id: Args.string({ description: 'The task id (or --queue and --key).' }) };
  static override flags = {
    queue: Flags.string({ char: 'q', description: 'With --key: the queue of the task holding the key.' }),
    key: Flags.string({
      char: 'k',
      description: 'Cancel the unfinished task of --queue holding this key (spec 11.2).',
    }),
  };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args, flags } = await this.parse(TasksCancel);
    const byKey = flags.key !== undefined || flags.queue !== undefined;
    if (byKey === (args.id !== undefined) || (byKey && (flags.key === undefined || flags.queue === undefined)))
      throw usageError('tasks cancel: give a task id, or --queue and --key (not both)');
    const task = byKey
      ? await backend.cancelByKey(flags.queue!, flags.key!)
      : await backend.actOnTask(args.id!, 'cancel');
    this.print(task, () => formatTaskAction('cancelled', task));
  }
}
