import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Koa from 'koa';
import mount from 'koa-mount';
import { loadConfig, type ResolvedConfig } from '../../src/config/load.js';
import { migrate } from '../../src/db/migrate.js';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { createRecorder } from '../../src/recorder/app.js';

/**
 * An existing Koa application that mounts Dispatchr's recorder under /dispatchr: tasks are created
 * with POST /dispatchr/v1/queues/<queue>/tasks on the app's own port, and the app keeps its own
 * routes (here GET / and the task handler POST /tasks/email that the queue's target points at).
 *
 *   node --import tsx examples/koa-mount/app.ts    # then:
 *   curl -X POST localhost:3000/dispatchr/v1/queues/emails/tasks \
 *        -H 'content-type: application/json' -d '{"path": "/email", "body": {"to": "a@example.com"}}'
 */
export interface ExampleApp {
  app: Koa;
  close(): Promise<void>;
}

export async function createExampleApp(config: ResolvedConfig): Promise<ExampleApp> {
  const db: Orm = await initOrm({ url: config.database.url, baseDir: config.source.dir });
  // The embedded database (SQLite, the quickstart) is migrated here; with PostgreSQL run `dispatchr migrate`.
  if (db.driver.migratesOnOpen) await migrate(db);
  const recorder = createRecorder({ config, db });

  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/') {
      ctx.body = { app: 'example', tasks: '/dispatchr/v1/queues/emails/tasks' };
      return;
    }
    if (ctx.method === 'POST' && ctx.path === '/tasks/email') {
      // Where the scheduler delivers the queue's tasks; a 2xx completes the task.
      ctx.status = 204;
      return;
    }
    await next();
  });
  // Mount before any body parser of the host app: the recorder reads its own request bodies.
  app.use(mount('/dispatchr', recorder));

  return {
    app,
    async close() {
      await recorder.close();
      await db.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const config = loadConfig({ file: path.join(here, 'dispatchr.yml') });
  const { app } = await createExampleApp(config);
  const port = Number(process.env.PORT ?? 3000);
  createServer(app.callback()).listen(port, '127.0.0.1', () =>
    console.log(`example app on http://127.0.0.1:${port}, recorder under /dispatchr`),
  );
}
