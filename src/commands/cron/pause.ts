import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class CronPause extends OperatorCommand<typeof CronPause> {
  static override description =
    'Stop firing a cron entry: its fire times pass unfired until it is resumed (config entries too; the pause outlives restarts).';
  static override examples = ['<%= config.bin %> cron pause nightly-report'];
  static override args = { name: Args.string({ description: 'The cron entry.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(CronPause);
    const entry = await backend.setCronPaused(args.name, true);
    this.print(entry, () => `paused cron entry ${entry.name}`);
  }
}
