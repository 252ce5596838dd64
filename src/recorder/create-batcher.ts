import { isDatabaseUnavailable } from '../db/db-errors.js';
import type { CreateResult } from '../db/task.repository.js';
import type { NewTask } from '../task.js';

/**
 * Groups single creates that arrive in the same turn of the event loop into one `insertTasks` call:
 * one transaction (one commit, one fsync) for many requests, each still answered with its own
 * result and only after that commit. Without it every POST pays a whole transaction, and the
 * commit rate of the database, not the recorder, caps the creates per second.
 *
 * A group fails as a whole only for reasons that would fail each member alike (the database is
 * unavailable). Any other failure is retried one task at a time, so one odd row never fails the
 * requests that happened to share its transaction.
 */
export interface CreateBatcher {
  create(task: NewTask): Promise<CreateResult>;
}

export interface CreateBatcherOptions {
  insert: (tasks: NewTask[]) => Promise<CreateResult[]>;
  /** Most tasks per group; a full group is flushed at once. */
  maxGroup?: number;
}

interface Waiting {
  task: NewTask;
  resolve: (result: CreateResult) => void;
  reject: (error: unknown) => void;
}

export function createCreateBatcher(options: CreateBatcherOptions): CreateBatcher {
  const maxGroup = options.maxGroup ?? 500;
  let pending: Waiting[] = [];
  let scheduled = false;

  const insertOne = (waiting: Waiting) =>
    options.insert([waiting.task]).then(([result]) => waiting.resolve(result), waiting.reject);

  async function run(group: Waiting[]): Promise<void> {
    if (group.length === 1) return insertOne(group[0]);
    let results: CreateResult[];
    try {
      results = await options.insert(group.map((waiting) => waiting.task));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const waiting of group) waiting.reject(error);
        return;
      }
      await Promise.all(group.map(insertOne));
      return;
    }
    group.forEach((waiting, index) => waiting.resolve(results[index]));
  }

  function flush(): void {
    scheduled = false;
    const group = pending;
    pending = [];
    if (group.length > 0) void run(group);
  }

  return {
    create(task) {
      return new Promise<CreateResult>((resolve, reject) => {
        pending.push({ task, resolve, reject });
        if (pending.length >= maxGroup) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
