import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { loadConfig, type ResolvedConfig } from '../config/load.js';
import { EXIT_USAGE, parseErrorLine, reportDispatchrError } from './report-error.js';

/**
 * Every command's shared flags and its one mapping from errors to exit codes:
 * 0 success, 1 failure, 2 usage or config error. Messages are short lines on stderr
 * (report-error.ts), never a stack trace around a message that already says what is wrong.
 */
export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      description: 'Config file (default: $DISPATCHR_CONFIG, else ./dispatchr.yml).',
      helpGroup: 'GLOBAL',
    }),
    'log-level': Flags.string({
      description: 'Log level (also DISPATCHR_LOG_LEVEL); debug shows every step.',
      options: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: BaseFlags<T>;

  public override async init(): Promise<void> {
    await super.init();
    const { flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
  }

  /** The config the flags point at; a missing default file means "all defaults". */
  protected loadConfig(options: { allowMissing?: boolean } = {}): ResolvedConfig {
    const config = loadConfig({ file: this.flags.config, allowMissing: options.allowMissing ?? false });
    const level = this.flags['log-level'] ?? process.env.DISPATCHR_LOG_LEVEL;
    if (level) config.log.level = level as ResolvedConfig['log']['level'];
    return config;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    // The flags were read (and refused): keep oclif from warning that parse() was never called.
    (this as unknown as { parsed: boolean }).parsed = true;
    const exitCode = reportDispatchrError(error);
    if (exitCode !== undefined) {
      process.exitCode = exitCode;
      return;
    }
    // Unknown flags, missing or unexpected arguments: oclif reports those as parse errors (usage).
    const parseError =
      (error instanceof Errors.CLIError && error.oclif?.exit === 2) ||
      /Nonexistent flag|Unexpected argument|Missing required|Missing \d+ required arg|Expected --|Expected a/i.test(
        error.message,
      );
    if (parseError) {
      process.stderr.write(
        `error: ${parseErrorLine(error, `${this.config.bin} ${this.id?.replace(/:/g, ' ') ?? ''}`.trim())}\n`,
      );
      process.exitCode = EXIT_USAGE;
      return;
    }
    return super.catch(error);
  }
}
