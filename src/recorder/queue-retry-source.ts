import { loadStrategy } from '../strategies/load-plugins.js';
import type { QueueRetrySource } from '../strategies/task-retry-policy.js';

/**
 * A queue's retry block → what a task's own `retry` is checked against at create time
 * (strategies/task-retry-policy.ts). The recorder (and the operator's database mode) loads the strategy the scheduler will use, plugins included,
 * once per queue and on first use, so a create is refused with the same words the scheduler would
 * fail the task with. Undefined when the strategy cannot be loaded: the scheduler refuses to start
 * with it anyway, and the task's options are then checked at dispatch.
 */
export interface QueueRetryConfig {
  strategy: string;
  options?: Record<string, unknown>;
  /** ms; 0: no limit. */
  maxRetryDuration: number;
}

export async function loadQueueRetrySource(
  retry: QueueRetryConfig,
  configDir: string,
): Promise<QueueRetrySource | undefined> {
  const loaded = await loadStrategy(retry.strategy, configDir);
  if (!loaded.ok) return undefined;
  return { strategy: loaded.strategy, rawOptions: retry.options ?? {}, maxRetryDurationMs: retry.maxRetryDuration };
}
