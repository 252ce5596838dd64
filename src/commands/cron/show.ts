import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { formatCronDetail } from '../../operator/format-cron.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class CronShow extends OperatorCommand<typeof CronShow> {
  static override description =
    "Show a cron entry: its definition, its next five fire times (in UTC and in the entry's zone) and its recent runs.";
  static override examples = [
    '<%= config.bin %> cron show nightly-report',
    '<%= config.bin %> cron show nightly-report --json',
  ];
  static override args = { name: Args.string({ description: 'The cron entry.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(CronShow);
    const detail = await backend.showCron(args.name);
    this.print(detail, () => formatCronDetail(detail));
  }
}
