import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_TOKENS, printConfig } from '../../../src/conformance/config.js';
import { freePort } from './kit-harness.js';

/**
 * Runs a built package (mutant-build.ts) as the implementation under test, one process serving
 * the recorder and the scheduler (`schedule --with-recorder`) on its own SQLite file, and runs the
 * kit against it. Built JavaScript, not tsx: each run starts in a second or two.
 */
export interface KitRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the implementation printed (for a failure message). */
  logs: string;
}

export async function runKitAgainst(dir: string, grep: string, kitDir: string): Promise<KitRun> {
  const [targetPort, recorderPort] = [await freePort(), await freePort()];
  const config = parse(printConfig({ port: targetPort }));
  config.recorder = { ...config.recorder, host: '127.0.0.1', port: recorderPort };
  config.database = { url: 'sqlite:./kit.db' };
  config.log = { level: 'warn', pretty: false };
  // tsc builds no dashboard (dist/ui); the kit does not need it.
  config.recorder.ui = { enabled: false };
  const configFile = path.join(dir, 'dispatchr.yml');
  writeFileSync(configFile, stringify(config));
  const bin = path.join(dir, 'bin', 'run.js');

  const migrated = await collect(spawnNode([bin, 'migrate', '--config', configFile], dir), 60_000);
  if (migrated.code !== 0) throw new Error(`migrate exited ${migrated.code}: ${migrated.stderr}`);
  const server = spawnNode([bin, 'schedule', '--with-recorder', '--config', configFile], dir);
  let logs = '';
  server.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  try {
    const url = `http://127.0.0.1:${recorderPort}`;
    await waitForScheduler(url, 60_000, () => logs);
    const kit = spawnNode(
      [path.join(kitDir, 'dist', 'conformance', 'cli.js'), '--url', url, '--port', String(targetPort), '--grep', grep],
      dir,
    );
    const result = await collect(kit, 120_000);
    return { ...result, logs };
  } finally {
    server.kill('SIGKILL');
  }
}

function spawnNode(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Until GET /v1/schedulers lists a live scheduler: the dispatch cases need one from their start. */
async function waitForScheduler(url: string, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/schedulers`, { headers: { authorization: `Bearer ${DEFAULT_TOKENS.admin}` } });
      const body = (await res.json()) as { schedulers?: { alive?: boolean }[] };
      if (body.schedulers?.some((s) => s.alive)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no live scheduler within ${timeoutMs} ms:\n${logs().slice(-2000)}`);
}
