import { normalizeTaskPath } from '../rules/target-path.js';
import type { ErrorDetail } from '../errors.js';
import type { Config } from './schema.js';

/**
 * Each queue's callbacks against the queues they name, once the shapes are valid: the queue must be
 * configured and the path must stay inside its target (the rules a task's own callbacks meet at
 * create time). A callback to a queue no scheduler serves would wait forever.
 */
export function checkQueueCallbacks(config: Config): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [name, queue] of Object.entries(config.queues)) {
    for (const which of ['onComplete', 'onFailure'] as const) {
      const target = queue.callbacks?.[which];
      if (!target) continue;
      const at = `queues.${name}.callbacks.${which}`;
      const callee = config.queues[target.queue];
      if (!callee) {
        problems.push({
          path: `${at}.queue`,
          message: `expected a configured queue, got ${JSON.stringify(target.queue)}`,
        });
        continue;
      }
      const path = normalizeTaskPath(callee.target, target.path);
      if (!path.ok) problems.push({ path: `${at}.path`, message: path.message });
      else target.path = path.path;
    }
  }
  return problems;
}
