/**
 * Deterministic crash points for the fault suite: `DISPATCHR_FAILPOINTS=after-claim` (comma
 * separated; `name:N` fires on the Nth pass) makes the process die with SIGKILL semantics at that
 * point, exactly as a crash would: no cleanup, no settle, no goodbye. Unset in production: a
 * single lookup in an empty set.
 */
export type FailpointName =
  'after-claim' | 'after-response' | 'mid-settle' | 'before-rescue-settle' | 'cron-before-commit';

const configured = new Map<string, number>();
for (const entry of (process.env.DISPATCHR_FAILPOINTS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)) {
  const [name, count] = entry.split(':');
  configured.set(name, count ? Math.max(1, Number(count)) : 1);
}
const passes = new Map<string, number>();

/**
 * `taskIds()`: the batch at this point, printed when the failpoint fires, so the fault suite knows
 * exactly which tasks the crash hit (other claim loops may hold batches of their own meanwhile).
 */
export function failpoint(name: FailpointName, taskIds?: () => readonly string[]): void {
  const at = configured.get(name);
  if (at === undefined) return;
  const pass = (passes.get(name) ?? 0) + 1;
  passes.set(name, pass);
  if (pass === at) {
    process.stderr.write(
      `failpoint ${name} fired on pass ${pass}\n${taskIds ? `failpoint batch ${taskIds().join(',')}\n` : ''}`,
    );
    process.kill(process.pid, 'SIGKILL');
  }
}

export const failpointsActive = configured.size > 0;
