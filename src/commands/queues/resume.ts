import { Args } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class QueuesResume extends OperatorCommand<typeof QueuesResume> {
  static override description = 'Dispatch a paused queue again.';
  static override examples = ['<%= config.bin %> queues resume emails'];
  static override args = { name: Args.string({ description: 'A configured queue.', required: true }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(QueuesResume);
    const queue = await backend.setPaused(args.name, false);
    this.print(queue, () => `resumed queue ${queue.name}`);
  }
}
