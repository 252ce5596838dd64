import { Flags, type Command } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { DispatchrError, isDispatchrError } from '../errors.js';
import { createLogger } from '../logger.js';
import { terminalSafeJson, terminalSafeLines } from '../terminal-safe.js';
import type { OperatorBackend } from './backend.js';
import { openDatabaseBackend } from './database-backend.js';
import { usageError } from './filter-flags.js';
import { createHttpBackend } from './http-backend.js';

/**
 * The operator commands' shared shape: `--config` (the database) or `--url` + `--token` (a
 * recorder) picks the backend; each command calls one backend method and prints a table, or the
 * API's JSON with `--json`. Data goes to stdout; questions, progress and errors to stderr.
 *
 * Exit codes stay BaseCommand's: 0 success, 1 failure, 2 usage or config. Whatever the API would
 * answer 400 (a bad filter, task input or cursor) is a usage error here, in both modes.
 */
export interface OperatorFlags {
  url?: string;
  token?: string;
  json: boolean;
}

export abstract class OperatorCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    url: Flags.string({
      description: 'Talk to the recorder at this URL instead of the database.',
      env: 'DISPATCHR_URL',
      helpGroup: 'GLOBAL',
      exclusive: ['config'],
    }),
    token: Flags.string({
      description: 'Bearer token for --url (prefer the env variable: flags show in process lists).',
      env: 'DISPATCHR_TOKEN',
      helpGroup: 'GLOBAL',
    }),
    json: Flags.boolean({ description: 'Print JSON (the API resources) instead of a table.', helpGroup: 'GLOBAL' }),
  };

  /** Does the work with an open backend; the base opens and always closes it. */
  protected abstract operate(backend: OperatorBackend): Promise<void>;

  protected get operatorFlags(): OperatorFlags {
    return this.flags as unknown as OperatorFlags;
  }

  public async run(): Promise<void> {
    const backend = await this.openBackend();
    try {
      await this.operate(backend);
    } finally {
      await backend.close();
    }
  }

  private async openBackend(): Promise<OperatorBackend> {
    const { url, token } = this.operatorFlags;
    if (url !== undefined) return createHttpBackend({ url, token });
    if (token !== undefined && this.argv.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
      throw usageError('--token is for --url: with --config the CLI reads the database directly');
    }
    const config = this.loadConfig();
    // Logs go to stderr, never pretty-printed to stdout: stdout is the command's output.
    // A one-shot command has little to log: warnings only, unless --log-level (or the env) asks.
    const level = this.flags['log-level'] ?? process.env.DISPATCHR_LOG_LEVEL ?? 'warn';
    const logger = createLogger({ level, pretty: false, destination: process.stderr, name: 'dispatchr' });
    return openDatabaseBackend(config, logger);
  }

  /**
   * The human rendering, or the machine one with --json. Formatters escape each field (so a line
   * break inside a value cannot forge a row); the whole text is escaped once more, keeping its own
   * line breaks, so a message that interpolates a value directly cannot drive the terminal either.
   */
  protected print(value: unknown, human: () => string): void {
    if (this.operatorFlags.json) process.stdout.write(`${terminalSafeJson(value)}\n`);
    else this.log(terminalSafeLines(human()));
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (
      isDispatchrError(error) &&
      error.status === 400 &&
      error.code !== 'usage' &&
      !error.code.startsWith('config_')
    ) {
      const usage = new DispatchrError('usage', error.message, { status: 2, details: error.details });
      return super.catch(usage as unknown as Error & { exitCode?: number });
    }
    return super.catch(error);
  }
}
