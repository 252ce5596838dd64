import { Args, Flags } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { confirm } from '../../operator/confirm.js';
import { waitingCount } from '../../operator/format-queue.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class QueuesPurge extends OperatorCommand<typeof QueuesPurge> {
  static override description =
    'Delete the waiting tasks of a queue (scheduled, available, retryable); running tasks finish normally. Asks for confirmation: --yes skips it, and is required without a terminal.';
  static override examples = [
    '<%= config.bin %> queues purge emails',
    '<%= config.bin %> queues purge emails --yes --json',
  ];
  static override args = { name: Args.string({ description: 'A configured queue.', required: true }) };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation.' }) };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(QueuesPurge);
    const queue = (await backend.listQueues()).find((q) => q.name === args.name);
    // An unknown queue is refused by purgeQueue itself, with the same error in both modes.
    const waiting = queue ? waitingCount(queue) : 0;
    if (queue && waiting > 0)
      await confirm(`Delete ${waiting} waiting task${waiting === 1 ? '' : 's'} of queue ${queue.name}?`, {
        yes: this.flags.yes,
      });
    const result = await backend.purgeQueue(args.name);
    this.print(
      result,
      () => `purged ${result.purged} waiting task${result.purged === 1 ? '' : 's'} of queue ${result.queue}`,
    );
  }
}
