import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { shortTime } from '../../operator/format-task.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class CronResume extends OperatorCommand<typeof CronResume> {
  static override description =
    'Fire a paused cron entry again, from its next fire time after now (fire times missed while paused are not caught up).';
  static override examples = ['<%= config.bin %> cron resume nightly-report'];
  static override args = { name: Args.string({ description: 'The cron entry.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(CronResume);
    const entry = await backend.setCronPaused(args.name, false);
    const next = shortTime(entry.nextFireTimes[0] ?? null);
    this.print(entry, () => `resumed cron entry ${entry.name}: ${next === null ? entry.status : `next fire ${next}`}`);
  }
}
