import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Shared by the orchestrator (bench/run.ts) and the scenario processes (bench/procs/*.ts):
 * statistics, the monotonic clock, and the parent/child message plumbing.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CLOCK_MONOTONIC in milliseconds. On Linux `process.hrtime` reads CLOCK_MONOTONIC, which is one
 * clock for every process on the machine, so a time taken in the client and a time taken in the
 * target process can be subtracted directly.
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Converts a wall-clock epoch time (ms) to the monotonic clock, by reading both now. */
export function epochToMono(epochMs: number): number {
  return monoMs() + (epochMs - Date.now());
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** (max - min) / median. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** `--name=value` and `--flag` arguments. */
export function parseFlags(argv: readonly string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (const arg of argv) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (match) flags[match[1]] = match[2] ?? true;
  }
  return flags;
}

// ---- child processes -------------------------------------------------------------------------

export interface Message {
  type: string;
  [key: string]: unknown;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Resolves with the next message of this type (or rejects when the child exits first). */
  next<T extends Message = Message>(type: string, timeoutMs?: number): Promise<T>;
  send(message: Message): void;
  /** Resolves when the child has exited. */
  exited: Promise<number | null>;
  kill(): Promise<void>;
  /** Everything the child wrote to stderr (for error reports). */
  stderr(): string;
}

export const procPath = (name: string): string => fileURLToPath(new URL(`../procs/${name}.ts`, import.meta.url));

/**
 * Forks a bench process (TypeScript through tsx, inherited from our own execArgv). Options travel
 * in BENCH_OPTS as JSON. `extraExecArgv` adds e.g. --cpu-prof for profiling one process.
 */
export function spawnProc(name: string, options: unknown, extraExecArgv: string[] = []): Child {
  const execArgv = [...process.execArgv.filter((arg) => !arg.startsWith('--cpu-prof')), ...extraExecArgv];
  const child = fork(procPath(name), [], {
    execArgv,
    env: { ...process.env, BENCH_OPTS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let errText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errText += chunk.toString();
    if (errText.length > 20_000) errText = errText.slice(-20_000);
  });
  const queue: Message[] = [];
  const waiters: { type: string; resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  let exitCode: number | null | undefined;
  child.on('message', (raw) => {
    const message = raw as Message;
    const index = waiters.findIndex((w) => w.type === message.type || (message.type === 'error' && w.type !== 'error'));
    if (index >= 0) {
      const [waiter] = waiters.splice(index, 1);
      if (message.type === 'error' && waiter.type !== 'error')
        waiter.reject(new Error(`${name}: ${String(message.message)}`));
      else waiter.resolve(message);
    } else queue.push(message);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exitCode = code;
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new Error(`${name} exited (code ${code}) before sending '${waiter.type}'\n${errText.slice(-3000)}`),
        );
      }
      resolve(code);
    });
  });
  return {
    process: child,
    pid: child.pid!,
    exited,
    stderr: () => errText,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    next<T extends Message>(type: string, timeoutMs = 120_000): Promise<T> {
      const queued = queue.findIndex((m) => m.type === type || m.type === 'error');
      if (queued >= 0) {
        const [message] = queue.splice(queued, 1);
        if (message.type === 'error' && type !== 'error')
          return Promise.reject(new Error(`${name}: ${String(message.message)}`));
        return Promise.resolve(message as T);
      }
      if (exitCode !== undefined)
        return Promise.reject(new Error(`${name} already exited (code ${exitCode})\n${errText.slice(-3000)}`));
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(new Error(`${name}: no '${type}' within ${timeoutMs} ms\n${errText.slice(-3000)}`));
        }, timeoutMs);
        const waiter = {
          type,
          resolve: (m: Message) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.push(waiter);
      });
    },
    async kill() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---- inside a bench process ------------------------------------------------------------------

export function procOptions<T>(): T {
  return JSON.parse(process.env.BENCH_OPTS ?? '{}') as T;
}

export function tell(message: Message): void {
  process.send?.(message);
}

/** Waits for one message from the parent. */
export function fromParent<T extends Message = Message>(type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown) => {
      const message = raw as Message;
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve(message as T);
    };
    process.on('message', onMessage);
  });
}

/** Runs a bench process's main: reports a failure to the parent, then exits. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => {
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50).unref();
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${message}\n`);
      tell({ type: 'error', message });
      setTimeout(() => process.exit(1), 50);
    },
  );
}

/** A ~60-byte JSON body, like the prototype's. */
export function noopBody(n: number): { hello: string; n: number; pad: string } {
  return { hello: 'world', n, pad: 'x'.repeat(16) };
}
