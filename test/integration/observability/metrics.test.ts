import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATES } from '../../../src/task.js';
import { runCli } from '../../support/cli.js';
import { drivers } from '../../support/databases.js';
import { TOKEN } from '../recorder/support.js';
import { freePort, parseMetrics, startStack, sumOf, type Stack } from './support.js';

/**
 * A scripted run (tasks completing, failing, retrying, one de-duplicated, one scheduled for later)
 * through a real recorder, scheduler and target; then both /metrics endpoints are scraped and every
 * count is checked against the database.
 */
const SCOPED = 'scoped-token-0123456789abcdef';

describe.each(drivers())('metrics after a scripted run on %s', (driver) => {
  let stack: Stack;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    stack = await startStack(
      driver,
      {
        '/hooks/ok': (_req, res) => res.writeHead(200).end('ok'),
        '/hooks/bad': (_req, res) => res.writeHead(404).end('gone'),
        '/hooks/flaky': (_req, res, n) => res.writeHead(n === 1 ? 500 : 204).end(),
        '/plain/ok': (_req, res) => res.writeHead(202).end(),
      },
      (url) => ({
        recorder: { tokens: [TOKEN, { token: SCOPED, queues: ['plain'] }] },
        scheduler: { metrics: { port: metricsPort } },
        queues: {
          hooks: {
            target: `${url}/hooks`,
            allowPrivateNetwork: true,
            rateLimit: { perSecond: 50 },
            retry: { strategy: 'fixed', options: { delay: '100ms' }, maxAttempts: 3 },
          },
          plain: { target: `${url}/plain`, allowPrivateNetwork: true },
        },
      }),
      { token: TOKEN },
    );
    const create = (queue: string, body: Record<string, unknown>) =>
      stack.recorder.call('POST', `/v1/queues/${queue}/tasks`, { body });
    for (const p of ['/ok', '/ok', '/ok', '/bad', '/bad', '/flaky'])
      expect((await create('hooks', { path: p })).status).toBe(201);
    expect((await create('hooks', { path: '/ok', key: 'once' })).status).toBe(201);
    expect((await create('hooks', { path: '/ok', key: 'once' })).status).toBe(200); // de-duplicated: not counted
    expect((await create('hooks', { path: '/ok', delay: '1h' })).status).toBe(201);
    expect(
      (
        await stack.recorder.call('POST', '/v1/queues/plain/tasks/batch', {
          body: { tasks: [{ path: '/ok' }, { path: '/ok' }] },
        })
      ).status,
    ).toBe(201);
    await stack.settled();
  });
  afterAll(async () => stack?.close());

  const countsByState = async () => {
    const rows = await stack.recorder.db.sql.query<{ queue: string; state: string; n: number | string }>(
      'select queue, state, count(*) as n from dispatchr_task group by queue, state',
    );
    return rows.map((row) => ({ ...row, n: Number(row.n) }));
  };

  it("serves the recorder's /metrics behind auth, with task gauges and creates equal to the database", async () => {
    expect((await stack.recorder.call('GET', '/metrics', { token: null })).status).toBe(401);
    expect((await stack.recorder.call('GET', '/metrics', { token: SCOPED })).status).toBe(403);
    const reply = await stack.recorder.call('GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    const samples = parseMetrics(reply.text);

    const rows = await countsByState();
    for (const queue of ['hooks', 'plain']) {
      const inDb = rows.filter((row) => row.queue === queue).reduce((sum, row) => sum + row.n, 0);
      expect(sumOf(samples, 'dispatchr_tasks_enqueued_total', { queue }), queue).toBe(inDb);
      for (const state of TASK_STATES) {
        const expected = rows.find((row) => row.queue === queue && row.state === state)?.n ?? 0;
        expect(samples.get(`dispatchr_tasks{queue="${queue}",state="${state}"}`), `${queue} ${state}`).toBe(expected);
      }
      expect(samples.get(`dispatchr_queue_oldest_due_age_seconds{queue="${queue}"}`)).toBe(0);
    }
    expect(sumOf(samples, 'dispatchr_tasks_enqueued_total', { queue: 'hooks' })).toBe(8); // 9 creates, one de-duplicated
    expect(samples.get('dispatchr_tasks{queue="hooks",state="completed"}')).toBe(5);
    expect(samples.get('dispatchr_tasks{queue="hooks",state="failed"}')).toBe(2);
    expect(samples.get('dispatchr_tasks{queue="hooks",state="scheduled"}')).toBe(1);
    expect(
      samples.has('dispatchr_process_resident_memory_bytes') || samples.has('dispatchr_process_cpu_seconds_total'),
    ).toBe(true);
    // No task ids or URLs as labels.
    expect(reply.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-7|http:\/\//);
  });

  it("serves the scheduler's attempts, durations, delays and results equal to the database", async () => {
    const response = await request(`http://127.0.0.1:${stack.scheduler.metricsPort()}/metrics`);
    expect(response.statusCode).toBe(200);
    const samples = parseMetrics(await response.body.text());
    const attempts = await stack.recorder.db.sql.query<{ queue: string; outcome: string; n: number | string }>(
      'select t.queue as queue, a.outcome as outcome, count(*) as n from dispatchr_attempt_history a join dispatchr_task t on t.id = a.task_id group by t.queue, a.outcome',
    );
    expect(attempts.length).toBeGreaterThan(0);
    for (const row of attempts) {
      expect(
        sumOf(samples, 'dispatchr_dispatch_attempts_total', { queue: row.queue, outcome: row.outcome }),
        `${row.queue} ${row.outcome}`,
      ).toBe(Number(row.n));
    }
    expect(
      sumOf(samples, 'dispatchr_dispatch_attempts_total', { queue: 'hooks', outcome: 'retry', status_class: '5xx' }),
    ).toBe(1);
    expect(
      sumOf(samples, 'dispatchr_dispatch_attempts_total', { queue: 'hooks', outcome: 'failed', status_class: '4xx' }),
    ).toBe(2);
    const total = attempts.filter((row) => row.queue === 'hooks').reduce((sum, row) => sum + Number(row.n), 0);
    expect(total).toBe(8); // 5 ok + 2 bad + 2 for flaky
    expect(samples.get('dispatchr_dispatch_duration_seconds_count{queue="hooks"}')).toBe(total);
    expect(samples.get('dispatchr_dispatch_delay_seconds_count{queue="hooks"}')).toBe(total);
    const rows = await countsByState();
    for (const result of ['completed', 'failed']) {
      const expected = rows.filter((row) => row.state === result).reduce((sum, row) => sum + row.n, 0);
      expect(sumOf(samples, 'dispatchr_tasks_finished_total', { result }), result).toBe(expected);
    }
    expect(samples.get('dispatchr_queue_rate_per_second{queue="hooks"}')).toBe(50);
    expect(samples.get('dispatchr_queue_rate_per_second{queue="plain"}')).toBe(Number.POSITIVE_INFINITY);
  });

  it('shows the rate in force in GET /v1/queues and `queues list`, read from the database the scheduler heartbeats to', async () => {
    const [row] = await stack.recorder.db.sql.query<{ rates: unknown }>('select rates from dispatchr_scheduler');
    expect(typeof row.rates === 'string' ? JSON.parse(row.rates) : row.rates).toEqual({ hooks: 50, plain: null });
    const { queues } = (await stack.recorder.call('GET', '/v1/queues')).body;
    expect(queues.map((q: { name: string; currentRate: unknown }) => [q.name, q.currentRate])).toEqual([
      ['hooks', { perSecond: 50 }],
      ['plain', { perSecond: null }],
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-metrics-'));
    try {
      const file = path.join(dir, 'dispatchr.yml');
      // No scheduler.metrics here: the CLI reads the rate from the database alone.
      const { database, queues: configured } = stack.recorder.config;
      writeFileSync(file, stringify({ database: { url: database.url }, queues: configured }));
      const result = await runCli(['queues', 'list', '--config', file], {
        env: { DISPATCHR_URL: '' },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(0);
      const [, hooks, plain] = result.stdout.trim().split('\n');
      expect(hooks).toMatch(/^hooks .* 50\/s burst 50 +50\/s$/);
      expect(plain).toMatch(/^plain .* none +unlimited$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
