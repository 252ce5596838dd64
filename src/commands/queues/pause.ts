import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class QueuesPause extends OperatorCommand<typeof QueuesPause> {
  static override description = 'Stop dispatching a queue. Tasks are still accepted; running ones finish.';
  static override examples = ['<%= config.bin %> queues pause emails'];
  static override args = { name: Args.string({ description: 'A configured queue.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(QueuesPause);
    const queue = await backend.setPaused(args.name, true);
    this.print(queue, () => `paused queue ${queue.name}`);
  }
}
