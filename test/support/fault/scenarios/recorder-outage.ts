import { request } from 'undici';
import { expect } from 'vitest';
import { parseConfig } from '../../../../src/config/load.js';
import { startRecorderServer } from '../../../../src/recorder/server.js';
import { createFaultEnv, printFigures, sleep, until } from '../fault-env.js';

/**
 * The recorder while its database goes away, through the proxy: clients keep creating tasks the
 * whole time (a ledger records every answer), while the database is refused, while connections
 * are cut every 200 ms, and after pg_terminate_backend on the recorder's backends.
 *
 * The promises: every answer comes within 5 s (no hang); while the database is unreachable the
 * answer is 503 with Retry-After; a 2xx only after the commit, so every task a 2xx named exists
 * (acked-but-missing 0); and once the database is back, creates succeed again on their own.
 */
export interface RecorderOutageOptions {
  outageMs: number;
  clients?: number;
}

interface Answer {
  /** The phase when the request was sent (a request in flight at a cut is labelled with the phase before). */
  phase: string;
  status: number | null;
  ms: number;
  retryAfter: string | null;
  id: string | null;
  error?: string;
}

export interface RecorderOutageResult {
  answers: number;
  byPhase: Record<string, Record<string, number>>;
  slowest: Record<string, number>;
  ackedButMissing: number;
  unavailableWithoutRetryAfter: number;
  transportErrors: number;
  /** Database back → first 2xx. */
  recoveryMs: number[];
  backendsTerminated: number;
}

export async function runRecorderOutage(options: RecorderOutageOptions): Promise<RecorderOutageResult> {
  const env = await createFaultEnv('recorder');
  const config = parseConfig({
    database: { url: env.proxyUrl, poolSize: 5 },
    recorder: { host: '127.0.0.1', port: 0 },
    queues: { work: { target: 'http://127.0.0.1:9/tasks', allowPrivateNetwork: true } },
  });
  // knex prints "Connection Error: ..." with console.log for every connection the proxy cuts (the
  // recorder runs in this process): counted here instead of flooding the test output.
  let driverWarnings = 0;
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('Connection Error')) driverWarnings += 1;
    else log(...args);
  };
  const server = await startRecorderServer(config, {});
  const answers: Answer[] = [];
  let phase = 'normal';
  let running = true;
  let counter = 0;

  async function create(): Promise<void> {
    const at = Date.now();
    const current = phase;
    const n = counter++;
    try {
      const response = await request(`${server.url}/v1/queues/work/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: `/k/${n}` }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const text = await response.body.text();
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const retryAfter = response.headers['retry-after'];
      answers.push({
        phase: current,
        status: response.statusCode,
        ms: Date.now() - at,
        retryAfter: retryAfter === undefined ? null : String(retryAfter),
        id: ok ? (JSON.parse(text) as { id: string }).id : null,
        ...(ok ? {} : { error: text.slice(0, 300) }),
      });
    } catch (error) {
      answers.push({
        phase: current,
        status: null,
        ms: Date.now() - at,
        retryAfter: null,
        id: null,
        error: (error as Error).message,
      });
    }
  }
  const clients = Array.from({ length: options.clients ?? 8 }, async () => {
    while (running) {
      await create();
      await sleep(20);
    }
  });

  const recoveryMs: number[] = [];
  async function restoreAndTime(label: string): Promise<void> {
    phase = `back after ${label}`;
    const backAt = Date.now();
    await env.proxy.pass();
    await until(
      () => answers.some((a) => a.phase === phase && a.status !== null && a.status < 300),
      30_000,
      `a 2xx after ${label}`,
      20,
    );
    recoveryMs.push(Date.now() - backAt);
  }

  try {
    await sleep(1_000);
    phase = 'refused';
    await env.proxy.refuse();
    env.proxy.dropAll();
    await sleep(options.outageMs);
    await restoreAndTime('refused');
    await sleep(1_000);

    phase = 'cut every 200 ms';
    const started = Date.now();
    while (Date.now() - started < options.outageMs) {
      env.proxy.dropAll();
      await sleep(200);
    }
    phase = 'back after cuts';
    await until(
      () => answers.some((a) => a.phase === phase && a.status !== null && a.status < 300),
      30_000,
      'a 2xx after the cuts',
      20,
    );
    await sleep(1_000);

    phase = 'pg_terminate_backend';
    const backendsTerminated = await env.terminateBackends({ via: 'proxy' });
    await sleep(1_000);
    phase = 'back after terminate';
    await until(
      () => answers.some((a) => a.phase === phase && a.status !== null && a.status < 300),
      30_000,
      'a 2xx after pg_terminate_backend',
      20,
    );
    await sleep(500);
    running = false;
    await Promise.all(clients);

    const acked = answers.filter((a) => a.id !== null).map((a) => a.id!);
    const rows = await env.db.sql.query<{ id: string }>('select id from dispatchr_task where id = any($1::uuid[])', [
      acked,
    ]);
    const found = new Set(rows.map((row) => String(row.id)));
    const byPhase: Record<string, Record<string, number>> = {};
    const slowest: Record<string, number> = {};
    for (const answer of answers) {
      const key = answer.status === null ? 'error' : String(answer.status);
      byPhase[answer.phase] ??= {};
      byPhase[answer.phase][key] = (byPhase[answer.phase][key] ?? 0) + 1;
      slowest[answer.phase] = Math.max(slowest[answer.phase] ?? 0, answer.ms);
    }
    const result: RecorderOutageResult = {
      answers: answers.length,
      byPhase,
      slowest,
      ackedButMissing: acked.filter((id) => !found.has(id)).length,
      unavailableWithoutRetryAfter: answers.filter((a) => a.status === 503 && !a.retryAfter).length,
      transportErrors: answers.filter((a) => a.status === null).length,
      recoveryMs,
      backendsTerminated,
    };
    printFigures('recorder during a database outage', {
      requests: answers.length,
      'answers by phase': byPhase,
      'slowest answer ms by phase': slowest,
      'acked but missing': result.ackedButMissing,
      '503 without Retry-After': result.unavailableWithoutRetryAfter,
      'transport errors': result.transportErrors,
      'backends terminated': backendsTerminated,
      'refused → back → first 2xx ms': recoveryMs,
      'driver connection-error log lines (knex)': driverWarnings,
    });
    return result;
  } finally {
    running = false;
    await Promise.allSettled(clients);
    await server.close();
    await env.cleanup();
    console.log = log;
  }
}

export function assertRecorderOutage(result: RecorderOutageResult): void {
  expect(result.ackedButMissing).toBe(0);
  expect(result.transportErrors).toBe(0);
  expect(result.unavailableWithoutRetryAfter).toBe(0);
  // No hang: every answer within 5 s, in every phase.
  for (const ms of Object.values(result.slowest)) expect(ms).toBeLessThan(5_000);
  // While refused, nothing can commit: only 503s (a request already past its commit may still 2xx).
  const refused = result.byPhase.refused ?? {};
  expect(refused['503'] ?? 0).toBeGreaterThan(0);
  expect(Object.keys(refused).filter((status) => status !== '503' && status !== '201')).toEqual([]);
  expect(result.backendsTerminated).toBeGreaterThan(0);
  for (const ms of result.recoveryMs) expect(ms).toBeLessThan(15_000);
}
