/**
 * `npm start`: Dispatchr on SQLite with the demo target app, in one process. It reads ./dispatchr.yml,
 * migrates ./dispatchr.db, starts the recorder, the scheduler and examples/target-app, enqueues a few
 * demo tasks through the API, and keeps running until Ctrl-C so you can enqueue more with curl.
 */
import { loadConfig } from '../src/config/load.js';
import { openDatabaseForCommand } from '../src/cli/open-database.js';
import { createLogger } from '../src/logger.js';
import { startRecorderServer } from '../src/recorder/server.js';
import { createScheduler } from '../src/scheduler/scheduler.js';
import { startTargetApp } from '../examples/target-app/server.js';

const config = loadConfig({ file: process.env.DISPATCHR_CONFIG ?? 'dispatchr.yml' });
const queue = config.queues.demo;
if (!queue) throw new Error('dispatchr.yml must define the queue "demo" for the quickstart');
const logger = createLogger({ level: config.log.level, pretty: config.log.pretty ?? true, name: 'dispatchr' });

const target = await startTargetApp({ port: Number(new URL(queue.target).port), secret: queue.signingSecret ?? '' });
const db = await openDatabaseForCommand(config, logger);
const scheduler = await createScheduler({ config, db, logger });
await scheduler.start();
const recorder = await startRecorderServer(config, { db, logger });

const api = `${recorder.url.replace(/\/$/, '')}/v1/queues/demo/tasks`;
const demo = [
  { path: '/greet', body: { name: 'Ada' } },
  { path: '/flaky', body: { note: 'fails once with 503 + Retry-After, then succeeds' } },
  { path: '/broken', body: { note: 'answers 400: failed at once, never retried' } },
  { path: '/greet', body: { name: 'Grace' }, delay: '5s' },
];
for (const task of demo) {
  const response = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(task) });
  const created = (await response.json()) as { id: string; state: string };
  console.log(`enqueued ${task.path.padEnd(8)} → ${response.status} ${created.state} ${created.id}`);
}

console.log(`
Dispatchr is running: recorder ${recorder.url}, target ${target.url}, database ${config.database.url}
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
