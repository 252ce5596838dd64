import type { OperatorBackend } from '../../operator/backend.js';
import { formatQueues } from '../../operator/format-queue.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class QueuesList extends OperatorCommand<typeof QueuesList> {
  static override description = [
    'List the configured queues: tasks per state, how long the oldest due task has waited, paused or not, the configured limits,',
    'and the rate in force (the sum of what the live schedulers enforce, as their heartbeats wrote it; "unknown" when no live scheduler serves the queue).',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> queues list',
    '<%= config.bin %> queues list --url http://127.0.0.1:8787 --json',
  ];

  protected async operate(backend: OperatorBackend): Promise<void> {
    const queues = await backend.listQueues();
    this.print({ queues }, () => formatQueues(queues));
  }
}
