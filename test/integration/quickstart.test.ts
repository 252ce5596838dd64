import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
      env: { ...process.env, DISPATCHR_CONFIG: path.join(dir, 'dispatchr.yml'), DISPATCHR_PORT: String(port), TARGET_PORT: String(targetPort), NODE_NO_WARNINGS: '1' },
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
      const api = `http://127.0.0.1:${port}/v1/queues`;
      const queues = (await (await fetch(api)).json()) as { queues: { name: string; counts: Record<string, number> }[] };
      expect(queues.queues[0]).toMatchObject({ name: 'demo', counts: { completed: 3, failed: 1 } });
      expect(output).toMatch(/task failed .*\/?.*status=400/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
