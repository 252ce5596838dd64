import { Flags } from '@oclif/core';
import type { OperatorBackend } from '../../operator/backend.js';
import { filterFlags, readFilter } from '../../operator/filter-flags.js';
import { formatTaskPage } from '../../operator/format-task.js';
import { OperatorCommand } from '../../operator/operator-command.js';

export default class TasksList extends OperatorCommand<typeof TasksList> {
  static override description =
    'List tasks of every queue, newest first, filtered by the database: state, creation time, path prefix, and text in the body or headers.';
  static override examples = [
    '<%= config.bin %> tasks list --queue emails --state failed --since 2h',
    '<%= config.bin %> tasks list --search user-42 --json',
    '<%= config.bin %> tasks list --url http://127.0.0.1:8787 --token $TOKEN --state scheduled,retryable',
  ];
  static override flags = {
    ...filterFlags,
    limit: Flags.integer({ char: 'n', description: 'Tasks per page (1 to 1000).', default: 100, min: 1, max: 1000 }),
    cursor: Flags.string({ description: 'Continue after the page that printed this cursor.' }),
  };

  protected async operate(backend: OperatorBackend): Promise<void> {
    const page = await backend.listTasks({
      ...readFilter(this.flags),
      limit: this.flags.limit,
      cursor: this.flags.cursor,
    });
    this.print(page, () => formatTaskPage(page));
  }
}
