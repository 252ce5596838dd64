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
    '<%= config.bin %> enqueue search --path /reindex --key user:42 --key-mode debounce --delay 30s --key-max-wait 5m',
    '<%= config.bin %> enqueue invoices --path /charge --on-complete receipts:/send --on-failure alerts:/charge-failed',
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
    'key-mode': Flags.string({
      description: "What a create that meets the key's holder does: keep (default), replace or debounce.",
    }),
    'key-max-wait': Flags.string({
      description: 'debounce: the task is never postponed past its creation + this ("1h").',
    }),
    'key-retention': Flags.string({
      description: 'Keep the key reserved this long after its task finishes ("10m", at most 7 days).',
    }),
    header: Flags.string({ char: 'H', multiple: true, description: 'A request header "name: value" (repeatable).' }),
    'max-attempts': Flags.integer({ description: "Attempts in all, overriding the queue's retry.maxAttempts." }),
    // Not bounded here: the API's schema refuses what is not 0 to 9, in its own words (exit 2).
    priority: Flags.integer({
      description: "0 to 9, lower claimed first; default: the queue's defaultPriority.",
    }),
    timeout: Flags.string({ description: 'Per-attempt timeout ("30s").' }),
    'retry-max-duration': Flags.string({
      description:
        'Stop retrying this long after the first attempt ("10m"); at most the queue\'s retry.maxRetryDuration.',
    }),
    'retry-option': Flags.string({
      multiple: true,
      description:
        'An option of the queue\'s retry strategy for this task, "name=value" (repeatable): initialDelay=100ms.',
    }),
    'on-complete': Flags.string({
      description: 'When the task completes, enqueue a callback task to "queue:/path" (a configured queue).',
    }),
    'on-failure': Flags.string({
      description: 'When the task fails, enqueue a callback task to "queue:/path" (a configured queue).',
    }),
  };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const { args } = await this.parse(Enqueue);
    const { task, deduplicated } = await backend.enqueue(args.queue, buildTaskInput(this.flags));
    this.print({ ...task, deduplicated }, () =>
      deduplicated
        ? `deduplicated (${deduplicated}): task ${task.id} (${task.state}) holds key ${JSON.stringify(task.key)}; nothing new was made`
        : `enqueued task ${task.id} in queue ${task.queue}: ${task.state}${task.state === 'scheduled' ? ` until ${task.runAt}` : ''}`,
    );
  }
}
