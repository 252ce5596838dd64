import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { epochToMono, monoMs } from './common.js';

/**
 * The real CLI (`node bin/run.js …`, which runs dist/) as a user starts it: a fresh process, its
 * own environment minus the variables that would change its config behind the bench's back, and
 * its stdout and stderr drained all along (a pipe nobody reads fills up and stalls the writer).
 * Keeps what tells its start-up apart from outside: when the process was spawned, when its first
 * output line arrived, and the `time` of its 'scheduler started' log line, all on CLOCK_MONOTONIC.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliProcess {
  process: ChildProcess;
  pid: number;
  /** CLOCK_MONOTONIC ms just before the spawn. */
  spawnedAt: number;
  /** When the first line of output (stdout or stderr) was read; null before it. */
  firstOutputAt(): number | null;
  /** The pino `time` of the line whose msg is `message`, on the monotonic clock; null before it. */
  loggedAt(message: string): number | null;
  /** Lines and bytes written so far (stdout and stderr together). */
  output(): { lines: number; bytes: number; tail: string[] };
  exited: Promise<number | null>;
  /** The exit code once the process is gone (null: killed by a signal); undefined while it runs. */
  exitCode(): number | null | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startCli(args: string[], options: { nodeArgs?: string[] } = {}): CliProcess {
  const env = { ...process.env };
  // The bench's own plumbing, and the variables that would override the config file's defaults.
  for (const name of ['BENCH_OPTS', 'DISPATCHR_CONFIG', 'DISPATCHR_LOG_LEVEL', 'BENCH_CLI_ROOT']) delete env[name];
  const spawnedAt = monoMs();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'bin/run.js', ...args], {
    // BENCH_CLI_ROOT: another tree's CLI (a git worktree with its dist/ built), for before/after pairs.
    cwd: process.env.BENCH_CLI_ROOT ?? REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstOutputAt: number | null = null;
  let lines = 0;
  let bytes = 0;
  const tail: string[] = [];
  const logged = new Map<string, number>();
  const onLine = (line: string) => {
    lines += 1;
    tail.push(line.slice(0, 500));
    if (tail.length > 20) tail.shift();
    if (!line.startsWith('{')) return;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; time?: unknown };
      // pino's time: epoch ms by default, an ISO string with Dispatchr's logger
      const epoch = typeof entry.time === 'number' ? entry.time : Date.parse(String(entry.time));
      if (typeof entry.msg === 'string' && Number.isFinite(epoch) && !logged.has(entry.msg))
        logged.set(entry.msg, epochToMono(epoch));
    } catch {
      // not a JSON log line
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      firstOutputAt ??= monoMs();
      bytes += Buffer.byteLength(chunk);
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) onLine(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    process: child,
    pid: child.pid!,
    spawnedAt,
    firstOutputAt: () => firstOutputAt,
    loggedAt: (message) => logged.get(message) ?? null,
    output: () => ({ lines, bytes, tail: [...tail] }),
    exited,
    exitCode: () => exitCode,
    async stop(graceMs = 30_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
