import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { formatTaskAction } from '../../operator/format-task.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class TasksRun extends OperatorCommand<typeof TasksRun> {
  static override description =
    'Make a scheduled or retryable task due now. A task in another state is refused (exit 1) with the state named.';
  static override examples = ['<%= config.bin %> tasks run 0190a1b2-0000-7000-8000-000000000000'];
  static override args = { id: Args.string({ description: 'The task id.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(TasksRun);
    const task = await backend.actOnTask(args.id, 'run');
    this.print(task, () => formatTaskAction('queued', task));
  }
}
