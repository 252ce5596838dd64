import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Runs the Python example (examples/python-flask-app) as child processes with Debian's interpreter,
 * the one that has python3-flask and python3-psycopg2 from apt (the `python3` first on PATH may be
 * another build without them).
 */
export const PYTHON = '/usr/bin/python3';
export const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/python-flask-app/', import.meta.url));
// No __pycache__ left in the example's folder by a test run.
const QUIET = { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };

/** Null when the interpreter can run the example, else why not. */
export function missingPython(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed (apt-get install python3 python3-flask python3-psycopg2)`;
  const probe = spawnSync(PYTHON, ['-c', 'import flask, psycopg2'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  return `${PYTHON} cannot import flask and psycopg2 (apt-get install python3-flask python3-psycopg2): ${probe.stderr.trim().split('\n').at(-1)}`;
}

export interface PythonResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one script of the example to its end. */
export function runPython(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: EXAMPLE_DIR, env: { ...process.env, ...QUIET, ...env }, stdio: 'pipe' });
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

export interface FlaskApp {
  url: string;
  /** Everything app.py printed so far (its log on stdout, the server's on stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts app.py on 127.0.0.1 with a free port (PORT=0) and waits until it listens. */
export function startFlask(env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<FlaskApp> {
  const child = spawn(PYTHON, ['app.py'], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, ...QUIET, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: 'pipe',
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`app.py did not start within ${timeoutMs} ms; printed:\n${output}`));
    }, timeoutMs);
    const append = (chunk: Buffer) => {
      output += chunk.toString();
      // Werkzeug prints this once the socket is bound, with the port the system chose.
      const listening = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      resolve({ url: listening[1], output: () => output, stop });
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`app.py exited before listening; printed:\n${output}`));
    });
  });
}
