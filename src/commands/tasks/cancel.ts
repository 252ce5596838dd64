import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { formatTaskAction } from '../../operator/format-task.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class TasksCancel extends OperatorCommand<typeof TasksCancel> {
  static override description =
    'Cancel a waiting task (scheduled, available or retryable). A task in another state is refused (exit 1) with the state named.';
  static override examples = ['<%= config.bin %> tasks cancel 0190a1b2-0000-7000-8000-000000000000'];
  static override args = { id: Args.string({ description: 'The task id.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(TasksCancel);
    const task = await backend.actOnTask(args.id, 'cancel');
    this.print(task, () => formatTaskAction('cancelled', task));
  }
}
