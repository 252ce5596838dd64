import { isDispatchrError } from '../errors.js';
import { terminalSafe, terminalSafeLines } from '../terminal-safe.js';

/**
 * How every command (and `npm start`) tells a person what went wrong: short lines on stderr, no
 * stack trace around a message that already says it. Exit codes: 2 for usage and config errors,
 * 1 for the others. Messages can carry text from elsewhere (a recorder's problem detail, a task id
 * given on the command line), so each line is escaped for the terminal; only a detail's own line
 * breaks are kept (a YAML error's code frame).
 */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Prints a DispatchrError and answers its exit code; answers undefined for any other error. */
export function reportDispatchrError(
  error: unknown,
  stderr: NodeJS.WritableStream = process.stderr,
): number | undefined {
  if (!isDispatchrError(error)) return undefined;
  const usage = error.code.startsWith('config_') || error.code === 'usage';
  if (error.details.length > 0 && usage) {
    for (const detail of error.details)
      stderr.write(`${terminalSafe(detail.path)}: ${terminalSafeLines(detail.message)}\n`);
  } else {
    stderr.write(`error: ${terminalSafe(error.message)}\n`);
  }
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}

interface OclifArg {
  name?: string;
  description?: string;
}

/**
 * oclif's parse errors in one line. A missing argument is named with its description (oclif lists
 * them on the lines after "Missing 1 required arg:", which a one-line report would drop).
 */
export function parseErrorLine(error: Error & { args?: unknown }, usage: string): string {
  const first = error.message.split('\n')[0].replace(/:\s*$/, '');
  const missing =
    Array.isArray(error.args) && /^Missing \d+ required arg/.test(first) ? (error.args as OclifArg[]) : [];
  const named = missing
    .filter((arg) => arg.name)
    .map((arg) => (arg.description ? `${arg.name} (${arg.description.replace(/\.$/, '')})` : arg.name));
  const text = named.length > 0 ? `${first}: ${named.join(', ')}` : first;
  return terminalSafe(`${text}; see ${usage} --help`);
}
