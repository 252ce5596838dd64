import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/logger.js';
import { createRecorder, type Recorder } from '../../../src/recorder/app.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { signPayload } from '../../../src/workers/signing.js';
import { postgresAvailable, TEST_PG_URL } from '../../support/postgres.js';
import { waitFor } from '../../support/target-server.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';
import { missingPython, runPython, startFlask, type FlaskApp } from './python-processes.js';

/**
 * The second-language proof (examples/python-flask-app): Python code that knows only the spec
 * talks to a real Dispatchr. A recorder and a scheduler (in this process, on a fresh PostgreSQL
 * schema) deliver signed tasks to app.py, a Flask app run by Debian's python3 as a child process,
 * which verifies them with its standard-library verifier. client.py creates tasks over HTTP and
 * enqueue_in_transaction.py through dispatchr_enqueue() in its own transaction.
 */
const SECRET = `whsec_${Buffer.from('python-flask-example-signing-key').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('a-secret-this-app-does-not-know').toString('base64')}`;
const TOKEN = 'python-example-enqueue-token';

const missing = missingPython();
// Outside CI a machine without Debian's Flask skips, saying why; under CI the example must run.
const skipReason = missing !== null && process.env.CI !== 'true' ? missing : null;
if (skipReason) console.warn(`examples/python-flask-app skipped: ${skipReason}`);

describe.skipIf(skipReason !== null || !postgresAvailable())('examples/python-flask-app', () => {
  let app: AppDatabase;
  let flask: FlaskApp;
  let recorder: Recorder;
  let server: Server;
  let scheduler: Scheduler;
  let dispatchrUrl: string;

  beforeAll(async () => {
    if (missing) throw new Error(`CI must run the Python example, but ${missing}`);
    flask = await startFlask({ DISPATCHR_SIGNING_SECRET: SECRET });
    app = await openAppDatabase();
    const config = parseConfig({
      database: { url: app.testDb.url },
      scheduler: { pollInterval: '100ms', leaseDuration: '10s', heartbeatInterval: '1s', shutdownTimeout: '2s' },
      recorder: { tokens: [{ token: TOKEN, name: 'python-client', role: 'enqueue', queues: ['emails'] }] },
      queues: {
        emails: {
          target: `${flask.url}/tasks`,
          allowPrivateNetwork: true,
          timeout: '5s',
          signingSecret: SECRET,
          retry: { strategy: 'fixed', options: { delay: '100ms' }, maxAttempts: 3 },
        },
      },
    });
    recorder = createRecorder({ config, db: app.db });
    server = createServer(recorder.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dispatchrUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    scheduler = await createScheduler({ config, db: app.db, logger: silentLogger });
    await scheduler.start();
  }, 60_000);

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    server?.closeAllConnections();
    if (server) await new Promise((resolve) => server.close(resolve));
    await recorder?.close();
    await app?.close();
    await flask?.stop();
  });

  const client = (args: string[], token = TOKEN) =>
    runPython(['client.py', ...args], { DISPATCHR_URL: dispatchrUrl, DISPATCHR_TOKEN: token });
  const flaskLogged = (pattern: RegExp, what: string) =>
    waitFor(async () => pattern.exec(flask.output()), 15_000, `app.py to log ${what}; it printed:\n${flask.output()}`);
  const taskIdIn = (text: string) => /task ([0-9a-f-]{36})/.exec(text)?.[1];

  it('client.py creates a task; the scheduler delivers it and app.py verifies it and answers 200', async () => {
    const run = await client(['emails', '/welcome', '{"email": "a@example.com"}', '--wait', '15']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = taskIdIn(run.stdout)!;
    expect(run.stdout).toMatch(new RegExp(`created task ${id}: (available|running)`));
    expect(run.stdout).toMatch(new RegExp(`task ${id}: completed \\(attempt 1, last status 200\\)\\n$`));
    const logged = flask.output();
    expect(logged).toContain(`verified task=${id} queue=emails name=welcome attempt=1 body={"email":"a@example.com"}`);
    expect(logged).toContain(`done task=${id} name=welcome`);
    expect(logged).toMatch(new RegExp(`"POST /tasks/welcome HTTP/1.1" 200`));
  });

  it('a 503 with Retry-After from app.py is retried, and the next attempt completes', async () => {
    const run = await client(['emails', '/report', '{"fail": 1}', '--wait', '15']);
    expect(run.code).toBe(0);
    const id = taskIdIn(run.stdout)!;
    expect(run.stdout).toMatch(new RegExp(`task ${id}: completed \\(attempt 2, last status 200\\)\\n$`));
    expect(flask.output()).toContain(`task=${id} attempt=1 not done (asked to fail attempts 1 to 1)`);
    expect(flask.output()).toContain(`verified task=${id} queue=emails name=report attempt=2`);
  });

  it('client.py reuses an Idempotency-Key safely and reports problem+json errors with their code and field', async () => {
    const key = `python-example-${Date.now()}`;
    const first = await client(['emails', '/once', '{}', '--idempotency-key', key, '--wait', '0']);
    const again = await client(['emails', '/once', '{}', '--idempotency-key', key, '--wait', '0']);
    expect(first.code).toBe(0);
    expect(again.code).toBe(0);
    expect(taskIdIn(again.stdout)).toBe(taskIdIn(first.stdout));

    const unknownQueue = await client(['nope', '/x', '--wait', '0']);
    expect(unknownQueue.code).toBe(1);
    expect(unknownQueue.stderr).toMatch(/^error: (403 forbidden|404 queue_not_found): /);
    const badPath = await client(['emails', '/a/../b', '--wait', '0']);
    expect(badPath.code).toBe(1);
    expect(badPath.stderr).toMatch(/^error: 400 validation_failed: [^\n]*\n {2}path: /);
    const badToken = await client(['emails', '/x', '--wait', '0'], 'not-the-token-of-this-recorder');
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^error: 401 unauthorized: /);
    expect(badToken.stderr).not.toContain('not-the-token-of-this-recorder');
  });

  it('app.py answers 401 to what the secret did not sign, and 200 once per webhook-id', async () => {
    const body = '{"email":"b@example.com"}';
    const send = (headers: Record<string, string>, payload = body) =>
      fetch(`${flask.url}/tasks/welcome`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    const now = Math.floor(Date.now() / 1000);
    const signed = (id: string, timestamp: number, secrets: string[], payload = body) => ({
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signPayload(id, timestamp, payload, secrets),
    });

    expect((await send(signed('msg_forged', now, [OTHER_SECRET]))).status).toBe(401);
    expect((await send(signed('msg_tampered', now, [SECRET]), body.replace('b@', 'c@'))).status).toBe(401);
    expect((await send(signed('msg_stale', now - 301, [SECRET]))).status).toBe(401);
    expect((await send({ 'webhook-id': 'msg_unsigned', 'webhook-timestamp': String(now) })).status).toBe(401);
    expect(flask.output()).not.toMatch(/verified task=msg_(forged|tampered|stale|unsigned)/);

    // Rotation: the header holds one signature per secret, and the one this app knows verifies.
    const genuine = signed('msg_delivered_twice', now, [OTHER_SECRET, SECRET]);
    expect((await send(genuine)).status).toBe(200);
    const duplicate = await send(genuine);
    expect(duplicate.status).toBe(200);
    expect(await duplicate.json()).toEqual({ duplicate: true });
    await flaskLogged(/duplicate task=msg_delivered_twice/, 'the duplicate');
    expect(flask.output().match(/done task=msg_delivered_twice /g)).toHaveLength(1);
  });

  it('app.py refuses to start with a secret that is not whsec_ + canonical base64, without showing it', async () => {
    const run = await runPython(['app.py'], { DISPATCHR_SIGNING_SECRET: 'whsec_bm90LWJhc2U2NA', PORT: '0' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('expected whsec_ followed by the base64 of 24 to 64 bytes');
    expect(run.stderr).not.toContain('bm90LWJhc2U2NA');
  });

  it('enqueue_in_transaction.py: a committed enqueue is delivered; a rolled-back one leaves nothing to send', async () => {
    const env = { DATABASE_URL: TEST_PG_URL, PGOPTIONS: `-c search_path=${app.schema}` };
    const committed = await runPython(['enqueue_in_transaction.py', 'c@example.com'], env);
    expect(committed.stderr).toBe('');
    expect(committed.code).toBe(0);
    const [, orderId, taskId] = /committed order (\d+) and task ([0-9a-f-]{36})/.exec(committed.stdout) ?? [];
    expect(taskId).toBeDefined();
    // The body goes out as canonical JSON (spec 5.2, members sorted), so it is parsed, not matched as text.
    const [, sent] = await flaskLogged(
      new RegExp(`verified task=${taskId} queue=emails name=receipt attempt=1 body=(.*)\\n`),
      'the committed task',
    );
    expect(JSON.parse(sent)).toEqual({ orderId: Number(orderId), email: 'c@example.com' });

    const rolledBack = await runPython(['enqueue_in_transaction.py', 'd@example.com', '--rollback'], env);
    expect(rolledBack.code).toBe(0);
    const [, goneOrder, goneTask, ordersSeen] =
      /rolled back order (\d+) and task ([0-9a-f-]{36}): orders with that id: (\d+)/.exec(rolledBack.stdout) ?? [];
    expect(goneTask).toBeDefined();
    // Fifteen claim cycles (pollInterval 100 ms): long enough for a committed task to be delivered.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(flask.output()).not.toContain(goneTask);
    expect(flask.output()).not.toContain('d@example.com');
    const { rows } = await app.pool.query(
      `select (select count(*)::int from dispatchr_task where id = $1) as tasks,
              (select count(*)::int from orders where id = $2) as orders`,
      [goneTask, goneOrder],
    );
    expect(rows[0]).toEqual({ tasks: 0, orders: 0 });
    expect(ordersSeen).toBe('0'); // what the script itself reports after its rollback
  });

  it('the standard-library verifier passes every signing vector of spec/vectors', async () => {
    const run = await runPython(['test_vectors.py', '-v']);
    expect(run.stderr).toMatch(/\nOK\n$/);
    expect(run.stderr).toContain('test_receiver_verdicts');
    expect(run.code).toBe(0);
  });
});
