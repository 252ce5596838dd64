import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

/**
 * `dispatchr schedule --config F` as a real child process (bin/dev.js: oclif runs the TypeScript
 * through tsx), so SIGKILL is a real crash: no finally blocks, no settle, sockets cut by the kernel.
 * Its JSON log lines are parsed as they arrive (and copied to a file for post-mortems).
 */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(REPO_ROOT, 'bin/dev.js');

export interface LogLine {
  level: number;
  time: string;
  msg: string;
  [key: string]: unknown;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the exit was seen. */
  at: number;
}

export interface SchedulerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the scheduler id once the "scheduler started" line is out; rejects on an early exit. */
  readonly ready: Promise<string>;
  readonly exited: Promise<ExitInfo>;
  readonly lines: LogLine[];
  stderr(): string;
  /** Sends a signal; answers Date.now() at the send. */
  kill(signal: NodeJS.Signals): number;
  readonly alive: boolean;
  /** Log lines whose msg matches. */
  find(msg: string | RegExp): LogLine[];
}

export interface SpawnOptions {
  name: string;
  configFile: string;
  /** Extra environment (DISPATCHR_FAILPOINTS, PGAPPNAME, ...). */
  env?: Record<string, string>;
  args?: string[];
  logDir?: string;
  /** The CLI command; default `schedule`. */
  command?: string;
}

export function spawnScheduler(options: SpawnOptions): SchedulerProcess {
  // `ready` waits for the "scheduler started" line, an info line: at least info, whatever the config says.
  const env: NodeJS.ProcessEnv = { ...process.env, DISPATCHR_LOG_LEVEL: 'info', ...options.env };
  if (!options.env?.DISPATCHR_FAILPOINTS) delete env.DISPATCHR_FAILPOINTS;
  const child = spawn(
    process.execPath,
    [BIN, options.command ?? 'schedule', '--config', options.configFile, ...(options.args ?? [])],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const file: WriteStream | null = options.logDir
    ? createWriteStream(path.join(options.logDir, `${options.name}.log`))
    : null;
  const lines: LogLine[] = [];
  let stderr = '';
  let pending = '';
  let alive = true;
  let onStarted: ((id: string) => void) | undefined;

  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    file?.write(chunk);
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!text.startsWith('{')) continue;
      try {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        if (line.msg === 'scheduler started' && typeof line.schedulerId === 'string') onStarted?.(line.schedulerId);
      } catch {
        // a partial or foreign line: kept in the file only
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    file?.write(`[stderr] ${chunk}`);
  });

  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal, at: Date.now() });
    });
  });
  void exited.then(() => file?.end());
  const ready = new Promise<string>((resolve, reject) => {
    onStarted = resolve;
    void exited.then((info) =>
      reject(
        new Error(`${options.name} exited (${info.code ?? info.signal}) before it started: ${stderr.slice(-2000)}`),
      ),
    );
  });
  ready.catch(() => undefined); // callers that never await ready must not see an unhandled rejection

  return {
    name: options.name,
    pid: child.pid!,
    child,
    ready,
    exited,
    lines,
    stderr: () => stderr,
    kill(signal) {
      const at = Date.now();
      if (alive) child.kill(signal);
      return at;
    },
    get alive() {
      return alive;
    },
    find: (msg) => lines.filter((line) => (typeof msg === 'string' ? line.msg === msg : msg.test(line.msg))),
  };
}
