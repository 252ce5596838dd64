import type { AttemptRow, TaskRow } from './fault-env.js';
import type { Delivery } from './recording-target.js';

/**
 * The history check every scenario ends with: the database's final rows, its attempt records and
 * the target's log of what it received, compared task by task.
 *
 * - lost: a task that is not completed, or completed without the target ever answering 2xx to the
 *   attempt the database says completed it;
 * - duplicates: deliveries beyond the first per task (the target answers 2xx, so each one is a
 *   duplicate after success or a re-send of a request whose answer was lost);
 * - disagreements: the target and the database tell different stories about a task: an attempt
 *   number the database never reached, one attempt number delivered twice (one claim is one
 *   send), or attempt records that do not line up with the task's counter.
 */
export interface History {
  tasks: number;
  completed: number;
  lost: number;
  lostIds: string[];
  deliveries: number;
  duplicates: number;
  duplicateTaskIds: string[];
  /** Tasks delivered at least twice whose id is not in `allowed` (e.g. in flight at a kill). */
  unexplainedDuplicateIds: string[];
  disagreements: number;
  disagreementSamples: string[];
  /** Attempts recorded per outcome. */
  outcomes: Record<string, number>;
}

export function checkHistory(
  rows: TaskRow[],
  attempts: AttemptRow[],
  log: Delivery[],
  options: { allowedDuplicates?: Set<string>; expectCompleted?: boolean; sameAttemptResendAllowed?: Set<string> } = {},
): History {
  const deliveries = new Map<string, Delivery[]>();
  for (const delivery of log) {
    const list = deliveries.get(delivery.taskId);
    if (list) list.push(delivery);
    else deliveries.set(delivery.taskId, [delivery]);
  }
  const attemptsByTask = new Map<string, AttemptRow[]>();
  const outcomes: Record<string, number> = {};
  for (const attempt of attempts) {
    outcomes[attempt.outcome] = (outcomes[attempt.outcome] ?? 0) + 1;
    const list = attemptsByTask.get(attempt.taskId);
    if (list) list.push(attempt);
    else attemptsByTask.set(attempt.taskId, [attempt]);
  }
  const known = new Set(rows.map((row) => row.id));
  const lostIds: string[] = [];
  const duplicateTaskIds: string[] = [];
  const unexplained: string[] = [];
  const problems: string[] = [];
  let duplicates = 0;
  let completed = 0;

  for (const row of rows) {
    const seen = deliveries.get(row.id) ?? [];
    const recorded = attemptsByTask.get(row.id) ?? [];
    if (row.state === 'completed') completed += 1;
    if (seen.length > 1) {
      duplicates += seen.length - 1;
      duplicateTaskIds.push(row.id);
      if (!options.allowedDuplicates?.has(row.id)) unexplained.push(row.id);
    }
    const answered = seen.find(
      (d) => d.attempt === row.attempt && d.status !== null && d.status >= 200 && d.status < 300 && !d.aborted,
    );
    if (row.state === 'completed' && !answered) {
      lostIds.push(row.id);
      problems.push(`${row.id}: completed at attempt ${row.attempt} but the target never answered 2xx to that attempt`);
    } else if (row.state !== 'completed' && options.expectCompleted !== false) {
      lostIds.push(row.id);
    }
    for (const delivery of seen) {
      if (delivery.attempt < 1 || delivery.attempt > row.attempt)
        problems.push(`${row.id}: delivered as attempt ${delivery.attempt}, database at ${row.attempt}`);
    }
    const perAttempt = new Map<number, number>();
    for (const delivery of seen) perAttempt.set(delivery.attempt, (perAttempt.get(delivery.attempt) ?? 0) + 1);
    for (const [number, count] of perAttempt) {
      if (count > 1 && !options.sameAttemptResendAllowed?.has(row.id))
        problems.push(`${row.id}: attempt ${number} was sent ${count} times`);
    }
    const completions = recorded.filter((a) => a.outcome === 'completed');
    if (row.state === 'completed' && (completions.length !== 1 || completions[0].number !== row.attempt)) {
      problems.push(
        `${row.id}: ${completions.length} completed attempt records for a task completed at attempt ${row.attempt}`,
      );
    }
    if (row.state !== 'running' && recorded.some((a) => a.number > row.attempt))
      problems.push(`${row.id}: an attempt record beyond the task's counter`);
  }
  for (const id of deliveries.keys()) if (!known.has(id)) problems.push(`${id}: delivered but unknown to the database`);
  return {
    tasks: rows.length,
    completed,
    lost: lostIds.length,
    lostIds: lostIds.slice(0, 10),
    deliveries: log.length,
    duplicates,
    duplicateTaskIds,
    unexplainedDuplicateIds: unexplained,
    disagreements: problems.length,
    disagreementSamples: problems.slice(0, 10),
    outcomes,
  };
}
