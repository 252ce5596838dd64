import { Pool } from 'undici';

/**
 * What the bench reads through the recorder's HTTP API, as a user watching a drain would: a
 * queue's counts per state (`GET /v1/queues`) and the tasks' recorded finish times
 * (`GET /v1/queues/:queue/tasks?state=completed`, `finalizedAt`). The bench's recorder runs with
 * no tokens (an open API on 127.0.0.1), so no Authorization header is sent.
 */
export interface RecorderClient {
  counts(queue: string): Promise<Record<string, number>>;
  /** The latest `finalizedAt` (epoch ms) among the queue's completed tasks, paging through all of them. */
  lastFinalizedAt(queue: string): Promise<{ epochMs: number; tasks: number }>;
  close(): Promise<void>;
}

export function recorderClient(baseUrl: string): RecorderClient {
  const url = new URL(baseUrl);
  const base = url.pathname.replace(/\/$/, '');
  const pool = new Pool(url.origin, { connections: 1, pipelining: 1, keepAliveTimeout: 10_000 });
  const get = async <T>(path: string): Promise<T> => {
    const res = await pool.request({ path: `${base}${path}`, method: 'GET' });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  return {
    async counts(queue) {
      const { queues } = await get<{ queues: { name: string; counts: Record<string, number> }[] }>('/v1/queues');
      const found = queues.find((q) => q.name === queue);
      if (!found) throw new Error(`GET /v1/queues: no queue ${queue}`);
      return found.counts;
    },
    async lastFinalizedAt(queue) {
      let latest = -Infinity;
      let tasks = 0;
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ state: 'completed', limit: '1000' });
        if (cursor) query.set('cursor', cursor);
        const page = await get<{ tasks: { finalizedAt: string | null }[]; nextCursor: string | null }>(
          `/v1/queues/${encodeURIComponent(queue)}/tasks?${query}`,
        );
        for (const task of page.tasks) {
          tasks += 1;
          if (task.finalizedAt !== null) latest = Math.max(latest, Date.parse(task.finalizedAt));
        }
        cursor = page.nextCursor;
      } while (cursor);
      return { epochMs: latest, tasks };
    },
    close: () => pool.close(),
  };
}
