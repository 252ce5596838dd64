import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALL_CASES } from '../../../src/conformance/main.js';
import { DEFAULT_TOKENS } from '../../../src/conformance/config.js';
import { ROOT, runCli, spawnCli, type CliResult, type RunningCli } from '../../support/cli.js';

/**
 * Dispatchr under test, as the conformance kit meets any implementation: `dispatchr recorder` and
 * `dispatchr schedule` as child processes, configured with what `dispatchr-conformance
 * --print-config` prints plus a database. The scheduler is started by the same shell command the
 * kit gets as `--start` (so `--kill` and `--stop` find it through its pid file).
 */
export interface Implementation {
  url: string;
  targetPort: number;
  configFile: string;
  commands: { start: string; kill: string; stop: string };
  /** The kit's flags for this implementation (url, port and the three commands). */
  kitArgs(): string[];
  logs(): string;
  close(): Promise<void>;
}

/** A port nothing listens on right now (for the kit's target, or to find nothing listening). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs the kit's CLI from source (`node --import tsx src/conformance/cli.ts`), as a child process. */
export function runKit(args: string[], timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/conformance/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function runShell(command: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, stdio: 'ignore' });
    child.on('exit', (code) => resolve(code));
  });
}

/** Writes the printed configuration plus `database` (edited if asked), migrates, starts the recorder and one scheduler (unless `scheduler: false`). */
export async function startDispatchr(
  databaseUrl: string,
  options: { edit?: (config: any) => void; scheduler?: boolean } = {},
): Promise<Implementation> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-kit-'));
  const targetPort = await freePort();
  const printed = await runKit(['--print-config', '--port', String(targetPort)], 60_000);
  if (printed.code !== 0) throw new Error(`--print-config exited ${printed.code}: ${printed.stderr}`);
  const config = parse(printed.stdout);
  config.database = { url: databaseUrl };
  config.recorder = { ...config.recorder, host: '127.0.0.1', port: 0 };
  config.log = { level: 'warn', pretty: false };
  options.edit?.(config);
  const configFile = path.join(dir, 'dispatchr.yml');
  writeFileSync(configFile, stringify(config));

  const migrated = await runCli(['migrate', '--config', configFile], { timeoutMs: 120_000 });
  if (migrated.code !== 0) throw new Error(`migrate exited ${migrated.code}: ${migrated.stderr}`);

  const pidFile = path.join(dir, 'scheduler.pid');
  const schedulerLog = path.join(dir, 'scheduler.log');
  // cwd is the repository: bin/dev.js runs the sources through tsx, worker threads included.
  const commands = {
    start: `cd ${quote(ROOT)} && NODE_NO_WARNINGS=1 node bin/dev.js schedule --config ${quote(configFile)} >> ${quote(schedulerLog)} 2>&1 & echo $! > ${quote(pidFile)}`,
    kill: `kill -9 "$(cat ${quote(pidFile)})"`,
    stop: `kill -TERM "$(cat ${quote(pidFile)})"`,
  };

  let recorder: RunningCli | undefined;
  const close = async () => {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await recorder?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    recorder = spawnCli(['recorder', '--config', configFile]);
    const [, url] = await recorder.waitForOutput(/listening on (http:\/\/\S+)/, 120_000);
    if (options.scheduler !== false) {
      if ((await runShell(commands.start)) !== 0) throw new Error('the scheduler start command failed');
      await waitForScheduler(url.replace(/\/$/, ''), 120_000);
    }
    return {
      url,
      targetPort,
      configFile,
      commands,
      kitArgs: () => [
        '--url',
        url,
        '--port',
        String(targetPort),
        '--start',
        commands.start,
        '--kill',
        commands.kill,
        '--stop',
        commands.stop,
      ],
      logs: () =>
        `${recorder?.output() ?? ''}\n--- scheduler ---\n${existsSync(schedulerLog) ? readFileSync(schedulerLog, 'utf8') : ''}`,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Until GET /v1/schedulers lists a live scheduler: the kit's dispatch cases need one from their start. */
async function waitForScheduler(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/v1/schedulers`, { headers: { authorization: `Bearer ${DEFAULT_TOKENS.admin}` } });
    const body = (await res.json()) as { schedulers?: { alive?: boolean }[] };
    if (body.schedulers?.some((s) => s.alive === true)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no live scheduler within ${timeoutMs} ms`);
}

/** The TAP lines of a report: the plan's count, and the result lines. */
export function tapLines(stdout: string): { plan: number; ok: string[]; notOk: string[]; skipped: string[] } {
  const plan = Number(/^1\.\.(\d+)$/m.exec(stdout)?.[1] ?? NaN);
  const lines = stdout.split('\n');
  return {
    plan,
    ok: lines.filter((line) => /^ok \d+ - /.test(line) && !/# SKIP/.test(line)),
    notOk: lines.filter((line) => line.startsWith('not ok')),
    skipped: lines.filter((line) => /^ok \d+ - .*# SKIP/.test(line)),
  };
}

/** The whole kit against an implementation, guarantees included: every case passes, none skipped, exit 0. */
export async function expectEveryCasePasses(impl: Implementation): Promise<void> {
  const result = await runKit(impl.kitArgs(), 300_000);
  const tap = tapLines(result.stdout);
  const failures = result.stdout
    .split('\nnot ok')
    .slice(1)
    .map((block) => `not ok${block.split('\n  ...')[0]}`);
  expect(failures, impl.logs().slice(-4000)).toEqual([]);
  expect(tap.skipped).toEqual([]);
  expect(tap.plan).toBe(ALL_CASES().length);
  expect(tap.ok).toHaveLength(ALL_CASES().length);
  expect(result.stderr).toMatch(
    new RegExp(`conformance: ${ALL_CASES().length} passed, 0 failed \\(0 MUST\\), 0 skipped in `),
  );
  expect(result.code).toBe(0);
}
