import { Args, Flags } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { formatResult } from '../../operator/format-result.js';
import { formatTaskDetail } from '../../operator/format-task.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class TasksShow extends OperatorCommand<typeof TasksShow> {
  static override description = 'Show a task, every attempt, and why it is waiting when it is not running.';
  static override examples = [
    '<%= config.bin %> tasks show 0190a1b2-0000-7000-8000-000000000000',
    '<%= config.bin %> tasks show ID --json',
    '<%= config.bin %> tasks show ID --response',
  ];
  static override args = { id: Args.string({ description: 'The task id.', required: true }) };
  static override flags = {
    response: Flags.boolean({
      description:
        "Print only the stored result: the final attempt's response body (up to the queue's response.maxBytes) and content type.",
    }),
  };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args, flags } = await this.parse(TasksShow);
    const task = await backend.showTask(args.id);
    if (flags.response) this.print(task.result ?? null, () => formatResult(task));
    else this.print(task, () => formatTaskDetail(task));
  }
}
