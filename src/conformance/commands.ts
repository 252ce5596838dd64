/**
 * Running the `--start`, `--kill` and `--stop` shell commands of the guarantees group. Each is run
 * with `sh -c` and waited for: a start command that runs a scheduler must put it in the
 * background itself (`... > log 2>&1 &`). Output is discarded rather than piped, because a
 * backgrounded scheduler inherits the pipes and would keep them open after the command ended.
 */
import { spawn } from 'node:child_process';
import { KitFailure } from './assert.js';

export async function runCommand(label: string, command: string | undefined, timeoutMs = 30_000): Promise<void> {
  if (!command) throw new KitFailure(`--${label} was not given`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new KitFailure(
          `the --${label} command did not end within ${timeoutMs} ms (background a long-running process with &)`,
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new KitFailure(`the --${label} command could not run: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new KitFailure(`the --${label} command exited with ${code ?? signal}`));
    });
  });
}
