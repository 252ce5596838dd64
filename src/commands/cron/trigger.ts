import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class CronTrigger extends OperatorCommand<typeof CronTrigger> {
  static override description =
    'Fire a cron entry now, as an extra run beside its schedule (whatever its status): it creates one task, due now.';
  static override examples = ['<%= config.bin %> cron trigger nightly-report'];
  static override args = { name: Args.string({ description: 'The cron entry.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(CronTrigger);
    const fired = await backend.triggerCron(args.name);
    this.print(fired, () => `triggered cron entry ${fired.name}: task ${fired.taskId}`);
  }
}
