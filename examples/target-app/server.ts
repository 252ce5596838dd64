import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { retryAfter, withDispatchr } from '../../src/handler/index.js';

/**
 * The quickstart's target: an ordinary HTTP app whose handlers are Dispatchr's workers. Every
 * request is checked against the queue's signing secret first; then the path decides what happens:
 *   /tasks/greet  → 200 (completed)
 *   /tasks/flaky  → 503 with Retry-After: 2 on the first attempt, 200 after (retried, then completed)
 *   /tasks/broken → 400 (failed at once: a 4xx means "do not retry")
 *   anything else → 200
 */
export interface TargetApp {
  url: string;
  close(): Promise<void>;
}

export async function startTargetApp(options: {
  port: number;
  secret: string;
  log?: (line: string) => void;
}): Promise<TargetApp> {
  const log = options.log ?? ((line: string) => console.log(line));
  const server = http.createServer(
    withDispatchr({ secret: options.secret }, (req, res, { dispatch, body }) => {
      const path = (req.url ?? '/').split('?')[0];
      log(
        `target  ${req.method} ${path}  task=${dispatch.taskId} attempt=${dispatch.attempt}${dispatch.cron === null ? '' : ` cron=${dispatch.cron} fire=${dispatch.cronFireAt?.toISOString()}`} body=${body.toString('utf8') || '-'}`,
      );
      if (path.endsWith('/flaky') && dispatch.attempt === 1) return retryAfter(res, 2, 'warming up; try again in 2 s');
      if (path.endsWith('/broken')) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('this task can never succeed');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('done');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
