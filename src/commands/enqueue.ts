import { Args, Flags } from '@oclif/core';
import type { OperatorBackend } from '../operator/backend.js';
import { buildTaskInput } from '../operator/enqueue-input.js';
import { OperatorCommand } from '../operator/operator-command.js';

export default class Enqueue extends OperatorCommand<typeof Enqueue> {
  static override description =
    "Create a task by hand: the same rules as POST /v1/queues/{queue}/tasks (the path stays inside the queue's target; a key de-duplicates).";
  static override examples = [
    `<%= config.bin %> enqueue emails --path /send --body '{"to":"a@example.com"}'`,
    '<%= config.bin %> enqueue emails --path /send --body @task.json --delay 10m --key welcome:42',
    '<%= config.bin %> enqueue webhooks --header "x-tenant: acme" --url http://127.0.0.1:8787 --token $TOKEN --json',
  ];
  static override args = { queue: Args.string({ description: 'A configured queue.', required: true }) };
  static override flags = {
    path: Flags.string({ char: 'p', description: 'Appended to the queue target (default: the target itself).' }),
    body: Flags.string({ char: 'b', description: 'JSON body, or @file to read it from a file.' }),
    method: Flags.string({ char: 'X', description: 'HTTP method (default POST).' }),
    delay: Flags.string({
      char: 'd',
      description: 'Due this long from now: "90s", "10m" or seconds.',
      exclusive: ['run-at'],
    }),
    'run-at': Flags.string({ description: 'Due at this RFC 3339 time.' }),
    key: Flags.string({
      char: 'k',
      description: 'De-duplication key: while an unfinished task of the queue holds it, nothing new is made.',
    }),
    header: Flags.string({ char: 'H', multiple: true, description: 'A request header "name: value" (repeatable).' }),
    'max-attempts': Flags.integer({ description: "Attempts in all, overriding the queue's retry.maxAttempts." }),
    timeout: Flags.string({ description: 'Per-attempt timeout ("30s").' }),
  };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(Enqueue);
    const { task, deduplicated } = await backend.enqueue(args.queue, buildTaskInput(this.flags));
    this.print({ ...task, deduplicated }, () =>
      deduplicated
        ? `deduplicated: task ${task.id} (${task.state}) already holds key ${JSON.stringify(task.key)}; nothing new was made`
        : `enqueued task ${task.id} in queue ${task.queue}: ${task.state}${task.state === 'scheduled' ? ` until ${task.runAt}` : ''}`,
    );
  }
}
