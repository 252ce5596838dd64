/**
 * `npm start`: Dispatchr on SQLite with the demo target app, in one process. It reads ./dispatchr.yml,
 * migrates ./dispatchr.db, starts the recorder (which serves the dashboard at /ui/), the scheduler and
 * examples/target-app, enqueues a few demo tasks through the API, and keeps running until Ctrl-C so
 * you can enqueue more with curl and watch them in the dashboard.
 *
 * The ports come from dispatchr.yml, which reads them from the environment: DISPATCHR_PORT for the
 * recorder (default 8787) and TARGET_PORT for the demo target (default 3000). A clear problem (a
 * taken port, a bad config, another scheduler on dispatchr.db) is one message and exit code 1 or 2,
 * not a stack trace.
 */
import { explainListenError } from '../src/cli/listen-error.js';
import { openDatabaseForCommand } from '../src/cli/open-database.js';
import { reportDispatchrError } from '../src/cli/report-error.js';
import { loadConfig, type ResolvedConfig } from '../src/config/load.js';
import { redactUrlPassword } from '../src/config/redact.js';
import { DispatchrError } from '../src/errors.js';
import { createLogger, type Logger } from '../src/logger.js';
import { startRecorderServer } from '../src/recorder/server.js';
import { createScheduler } from '../src/scheduler/scheduler.js';
import { startTargetApp } from '../examples/target-app/server.js';

function setUp(): { config: ResolvedConfig; logger: Logger } {
  const config = loadConfig({ file: process.env.DISPATCHR_CONFIG ?? 'dispatchr.yml' });
  if (!config.queues.demo)
    throw new DispatchrError('usage', `${config.source.file} must define the queue "demo" for the quickstart`, {
      status: 2,
    });
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty ?? true, name: 'dispatchr' });
  return { config, logger };
}

async function startAll(config: ResolvedConfig, logger: Logger) {
  const queue = config.queues.demo;
  // Started in order; on a failure, whatever already runs is closed, so the process ends and (above
  // all) no scheduler stays registered on dispatchr.db to refuse the next `npm start`.
  const started: (() => Promise<void>)[] = [];
  try {
    const target = await startTargetApp({
      port: Number(new URL(queue.target).port),
      secret: queue.signingSecret ?? '',
    }).catch((error: unknown) => {
      throw explainListenError(error, 'the demo target app', {
        port: 'TARGET_PORT=<port> npm start',
        host: 'queues.demo.target in dispatchr.yml',
      });
    });
    started.push(() => target.close());
    const db = await openDatabaseForCommand(config, logger);
    started.push(() => db.close());
    const recorder = await startRecorderServer(config, { db, logger }).catch((error: unknown) => {
      throw explainListenError(error, 'the recorder', {
        port: 'DISPATCHR_PORT=<port> npm start',
        host: 'recorder.host in dispatchr.yml',
      });
    });
    started.push(() => recorder.close());
    const scheduler = await createScheduler({ config, db, logger });
    started.push(() => scheduler.stop());
    await scheduler.start().catch((error: unknown) => {
      throw explainListenError(error, 'the scheduler metrics endpoint', {
        port: 'scheduler.metrics.port in dispatchr.yml',
        host: 'scheduler.metrics.host in dispatchr.yml',
      });
    });
    return { target, db, recorder, scheduler };
  } catch (error) {
    for (const close of started.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function main(): Promise<void> {
  const { config, logger } = setUp();
  const { target, db, recorder, scheduler } = await startAll(config, logger);

  const api = `${recorder.url.replace(/\/$/, '')}/v1/queues/demo/tasks`;
  const demo = [
    { path: '/greet', body: { name: 'Ada' } },
    { path: '/flaky', body: { note: 'fails once with 503 + Retry-After, then succeeds' } },
    { path: '/broken', body: { note: 'answers 400: failed at once, never retried' } },
    { path: '/greet', body: { name: 'Grace' }, delay: '5s' },
  ];
  for (const task of demo) {
    const response = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(task),
    });
    const created = (await response.json()) as { id: string; state: string };
    console.log(`enqueued ${task.path.padEnd(8)} → ${response.status} ${created.state} ${created.id}`);
  }

  const dashboard = config.recorder.ui.enabled
    ? `\nThe dashboard: ${recorder.url.replace(/\/$/, '')}/ui/ (open it in a browser)`
    : '';
  console.log(`
Dispatchr is running: recorder ${recorder.url}, target ${target.url}, database ${redactUrlPassword(config.database.url)}${dashboard}
Enqueue another task:
  curl -s ${api} -H 'content-type: application/json' -d '{"path": "/greet", "body": {"name": "you"}, "delay": "2s"}'
Look at one:   curl -s ${recorder.url.replace(/\/$/, '')}/v1/tasks/<id>
The queue:     curl -s ${recorder.url.replace(/\/$/, '')}/v1/queues
Stop with Ctrl-C.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await recorder.close();
    await scheduler.stop();
    await db.close();
    await target.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

try {
  await main();
} catch (error) {
  const exitCode = reportDispatchrError(error);
  if (exitCode === undefined) throw error; // a bug, not a situation: keep its stack
  // Whatever was started before the failure (the target app, the database) must not hold the process.
  process.exit(exitCode);
}
