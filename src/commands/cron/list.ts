import type { OperatorBackend } from '../../operator/backend.js';
import { formatCronEntries } from '../../operator/format-cron.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class CronList extends OperatorCommand<typeof CronList> {
  static override description = [
    'List the cron entries, from the config and from the API: status (active, paused, disabled, orphaned),',
    'schedule and zone, queue, the next fire time, the last one and the state of the task it created.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> cron list',
    '<%= config.bin %> cron list --url http://127.0.0.1:8787 --json',
  ];

  protected async operate(backend: OperatorBackend): Promise<void> {
    const entries = await backend.listCron();
    this.print({ entries }, () => formatCronEntries(entries));
  }
}
