/**
 * The kit's command line. A usage error is one line (exit 2): the flag, what it takes, what came.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, DEFAULT_TOKENS, defaultPrivateHost } from './config.js';
import type { Group, KitTokens } from './kit.js';

export const GROUPS: readonly Group[] = ['recorder', 'dispatch', 'guarantees'];

export interface KitOptions {
  url: string;
  tokens: KitTokens;
  port: number;
  privateHost: string;
  groups: Group[];
  grep?: RegExp;
  reporter: 'tap' | 'junit';
  out?: string;
  commands: { start?: string; kill?: string; stop?: string };
  concurrency: number;
}

export type ParsedArgs =
  | { kind: 'run'; options: KitOptions }
  | { kind: 'print-config'; port: number; privateHost: string; tokens: KitTokens }
  | { kind: 'help' };

export class UsageError extends Error {}

export const USAGE = `Usage: dispatchr-conformance --url <recorder base URL> [options]
       dispatchr-conformance --print-config [--port <n>] [--private-host <name>]

Tests an implementation of Dispatchr's specification from the outside (docs/conformance.md).
  --url <url>             the recorder's base URL (the one /v1/queues is under)
  --token <t>             admin token (default: the printed one)
  --enqueue-token <t>     enqueue token; --read-token <t> read token;
  --scoped-token <t>      enqueue token limited to queue kit-other (defaults: the printed ones)
  --port <n>              port of the kit's own target server (default ${DEFAULT_PORT})
  --private-host <name>   a name that resolves to a private address (default: this host's name)
  --group <g>             recorder, dispatch or guarantees (repeatable, or comma separated)
  --grep <regex>          only cases whose name matches
  --reporter tap|junit    report format (default tap), to stdout or --out <file>
  --out <file>            write the report to this file
  --start <cmd>, --kill <cmd>, --stop <cmd>
                          shell commands that start, kill -9 and SIGTERM the scheduler; the
                          guarantees group is skipped without --start and --kill
  --concurrency <n>       cases run at once (default 4; 1 to 16)
  --print-config          print the configuration the implementation needs, and exit
Exit code: 0 when every MUST passed, 1 when one failed, 2 on a usage or setup error.`;

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseKitArgs(argv: string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'enqueue-token': { type: 'string' },
        'read-token': { type: 'string' },
        'scoped-token': { type: 'string' },
        port: { type: 'string' },
        'private-host': { type: 'string' },
        group: { type: 'string', multiple: true },
        grep: { type: 'string' },
        reporter: { type: 'string' },
        out: { type: 'string' },
        start: { type: 'string' },
        kill: { type: 'string' },
        stop: { type: 'string' },
        concurrency: { type: 'string' },
        'print-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.help) return { kind: 'help' };
  const port = integer('--port', values.port, DEFAULT_PORT, 1, 65535);
  const privateHost = values['private-host'] ?? defaultPrivateHost();
  const tokens: KitTokens = {
    admin: values.token ?? DEFAULT_TOKENS.admin,
    enqueue: values['enqueue-token'] ?? DEFAULT_TOKENS.enqueue,
    read: values['read-token'] ?? DEFAULT_TOKENS.read,
    scoped: values['scoped-token'] ?? DEFAULT_TOKENS.scoped,
  };
  if (values['print-config']) return { kind: 'print-config', port, privateHost, tokens };

  if (!values.url) throw new UsageError('--url is required: the base URL of the recorder under test (see --help)');
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`--url: expected an http(s) URL, got ${JSON.stringify(values.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url: expected an http(s) URL, got ${JSON.stringify(values.url)}`);

  const groups = (values.group ?? [])
    .flatMap((g) => g.split(','))
    .map((g) => g.trim())
    .filter(Boolean);
  for (const group of groups)
    if (!GROUPS.includes(group as Group))
      throw new UsageError(`--group: expected ${GROUPS.join(', ')}, got ${JSON.stringify(group)}`);
  let grep: RegExp | undefined;
  if (values.grep !== undefined) {
    try {
      grep = new RegExp(values.grep);
    } catch (error) {
      throw new UsageError(`--grep: not a regular expression: ${(error as Error).message}`);
    }
  }
  const reporter = values.reporter ?? 'tap';
  if (reporter !== 'tap' && reporter !== 'junit')
    throw new UsageError(`--reporter: expected tap or junit, got ${JSON.stringify(reporter)}`);
  if (values.out === '') throw new UsageError('--out: expected a file name');

  return {
    kind: 'run',
    options: {
      url: values.url,
      tokens,
      port,
      privateHost,
      groups: groups as Group[],
      grep,
      reporter,
      out: values.out,
      commands: { start: values.start, kill: values.kill, stop: values.stop },
      concurrency: integer('--concurrency', values.concurrency, 4, 1, 16),
    },
  };
}
