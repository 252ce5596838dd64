import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { createSchedulerRegistry } from '../../src/db/scheduler-registry.repository.js';
import { ROOT } from '../support/cli.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the quickstart (npm start)', () => {
  it('starts on SQLite, dispatches the demo tasks to the target app, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-quickstart-'));
    copyFileSync(path.join(ROOT, 'dispatchr.yml'), path.join(dir, 'dispatchr.yml'));
    const [port, targetPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/quickstart.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DISPATCHR_CONFIG: path.join(dir, 'dispatchr.yml'),
        DISPATCHR_PORT: String(port),
        TARGET_PORT: String(targetPort),
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      // The delayed demo task (5 s) is the last to arrive; the flaky one needs its Retry-After of 2 s.
      while (!/target\s+POST \/tasks\/greet .*Grace/.test(output) || !/flaky.*attempt=2/.test(output)) {
        if (Date.now() > deadline) throw new Error(`the demo did not finish in 30 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const api = `http://127.0.0.1:${port}/v1`;
      const queues = (await (await fetch(`${api}/queues`)).json()) as { queues: { name: string }[] };
      expect(queues.queues.map((queue) => queue.name)).toEqual(['demo']);
      // The demo tasks; the quickstart's every-minute cron entry may have fired meanwhile (its
      // tasks carry `cron`), so they are told apart by it.
      const { tasks } = (await (await fetch(`${api}/tasks?queue=demo&limit=100`)).json()) as {
        tasks: { state: string; cron: string | null }[];
      };
      const demo = tasks.filter((task) => task.cron === null);
      expect(demo.filter((task) => task.state === 'completed')).toHaveLength(3);
      expect(demo.filter((task) => task.state === 'failed')).toHaveLength(1);
      expect(tasks.every((task) => task.cron === null || task.cron === 'demo-every-minute')).toBe(true);
      // The cron entry from dispatchr.yml is there, with its next five fire times.
      const { entries } = (await (await fetch(`${api}/cron`)).json()) as {
        entries: { name: string; status: string; nextFireTimes: string[] }[];
      };
      expect(entries.map((entry) => [entry.name, entry.status, entry.nextFireTimes.length])).toEqual([
        ['demo-every-minute', 'active', 5],
      ]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // No line per task at the default level: the scheduler's stop prints its last queue summary,
    // which counts the demo's failure and shows it (the 400).
    expect(output).not.toMatch(/task (completed|failed|will be retried)/);
    expect(output).toMatch(/queue summary\s+queue=demo .*failed=[1-9].*lastFailure=\{[^}]*"status":400/);
  });
});

/** `npm start` in a fresh folder with these ports, run until it exits by itself. */
function runQuickstartUntilExit(
  dir: string,
  ports: { recorder: number; target: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/quickstart.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DISPATCHR_CONFIG: path.join(dir, 'dispatchr.yml'),
      DISPATCHR_PORT: String(ports.recorder),
      TARGET_PORT: String(ports.target),
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A quickstart that did start would run until stopped: stop it, and the assertions say so.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('the quickstart refuses in one line, without a stack trace', () => {
  it('names a taken port and the variable that moves it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-quickstart-'));
    copyFileSync(path.join(ROOT, 'dispatchr.yml'), path.join(dir, 'dispatchr.yml'));
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const free = await freePort();
      const recorderTaken = await runQuickstartUntilExit(dir, { recorder: taken, target: free });
      expect(recorderTaken.code).toBe(1);
      expect(recorderTaken.stderr).toBe(
        `error: the recorder cannot listen on 127.0.0.1:${taken}: the port is already in use (EADDRINUSE): stop what holds it, or choose another with DISPATCHR_PORT=<port> npm start\n`,
      );
      const targetTaken = await runQuickstartUntilExit(dir, { recorder: free, target: taken });
      expect(targetTaken.code).toBe(1);
      expect(targetTaken.stderr).toBe(
        `error: the demo target app cannot listen on 127.0.0.1:${taken}: the port is already in use (EADDRINUSE): stop what holds it, or choose another with TARGET_PORT=<port> npm start\n`,
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  }, 150_000);

  it('says that another scheduler serves dispatchr.db', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-quickstart-'));
    copyFileSync(path.join(ROOT, 'dispatchr.yml'), path.join(dir, 'dispatchr.yml'));
    const db = await initOrm({ url: `sqlite:${path.join(dir, 'dispatchr.db')}` });
    try {
      await migrate(db);
      // A live heartbeat, as a `dispatchr schedule` running on the same file keeps it.
      await createSchedulerRegistry(db).heartbeat({
        id: 'already-running',
        queues: ['demo'],
        startedAt: new Date(),
        at: new Date(),
      });
    } finally {
      await db.close();
    }
    const result = await runQuickstartUntilExit(dir, { recorder: await freePort(), target: await freePort() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: another scheduler \(already-running, pid \d+ on .+\) already serves this SQLite database; SQLite supports one scheduler, use PostgreSQL to run several\n$/,
    );
  }, 90_000);
});
