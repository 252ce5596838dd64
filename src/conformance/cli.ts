/**
 * The `dispatchr-conformance` entry point (bin/conformance.js runs the built copy; tests run this
 * file through tsx). The exit code is main's; process.exit because a case cut off by its timeout
 * may still hold a socket, and the report is already written.
 */
import { main } from './main.js';

try {
  const code = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  process.exit(code);
} catch (error) {
  process.stderr.write(`dispatchr-conformance: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(2);
}
