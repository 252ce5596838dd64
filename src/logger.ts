import { pino, type LogFn, type Logger } from 'pino';
import { scrubLogObject, scrubString } from './log-redaction.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * JSON lines by default; pretty on a TTY. Secrets never reach the output: authorization values,
 * tokens and signing secrets are censored wherever they appear in a logged object.
 */
export type { Logger };

export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'token',
  'tokens',
  'signingSecret',
  'signingSecrets',
  'secret',
  'password',
  '*.authorization',
  '*.token',
  '*.signingSecret',
  '*.signingSecrets',
  '*.password',
];

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  /** Where lines go; default stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const base = {
    level: options.level ?? 'info',
    name: options.name,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Exact paths above; credentials under any key spelling, and URL passwords anywhere, below.
    formatters: { log: scrubLogObject },
    hooks: { logMethod: scrubLogArguments },
  };
  if (pretty) return pino(base, prettyStream(options.destination ?? process.stdout));
  return pino(base, (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ sync: false }));
}

/** The message strings of a log call (and an Error logged alone) get the same URL-password scrub. */
function scrubLogArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, ...rest] = args as unknown[];
  if (first instanceof Error && rest.length === 0) {
    method.apply(this, [{ err: first }, scrubString(first.message)] as Parameters<LogFn>);
    return;
  }
  method.apply(
    this,
    [first, ...rest].map((arg) => (typeof arg === 'string' ? scrubString(arg) : arg)) as Parameters<LogFn>,
  );
}

/**
 * A dependency-free pretty printer: `12:00:00.123 INFO  message key=value ...`. It is meant for a
 * terminal, and logged values (a task path, a target's error, a response excerpt) are chosen by
 * others: the message and every value go through terminalSafe, so none can carry a control sequence.
 */
function prettyStream(out: NodeJS.WritableStream): pino.DestinationStream {
  const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string) {
      try {
        const { time, level, msg, pid, hostname, name, ...rest } = JSON.parse(line) as Record<string, unknown>;
        void pid;
        void hostname;
        const fields = Object.entries(rest)
          .map(
            ([key, value]) =>
              `${terminalSafe(key)}=${terminalSafe(typeof value === 'string' ? value : String(JSON.stringify(value)))}`,
          )
          .join(' ');
        const clock = typeof time === 'string' ? time.slice(11, 23) : '';
        const label = terminalSafe(LEVELS[level as number] ?? String(level)).padEnd(5);
        out.write(
          `${clock} ${label} ${name ? `[${terminalSafe(String(name))}] ` : ''}${terminalSafe(String(msg ?? ''))}${fields ? `  ${fields}` : ''}\n`,
        );
      } catch {
        // Not a JSON line (never expected from pino): still nothing raw reaches the terminal.
        out.write(`${terminalSafe(line.replace(/\n$/, ''))}\n`);
      }
    },
  };
}

/** A logger that drops everything, for embedding and tests that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
