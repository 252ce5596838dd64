import { createInterface } from 'node:readline/promises';
import { DispatchrError } from '../errors.js';

/**
 * Destructive operations (bulk retry, purge) ask first. `--yes` skips the question; without a
 * terminal to ask on and without `--yes`, the command refuses (exit 2) rather than guess: a script
 * must say what it means. The question goes to stderr, so stdout stays the command's output.
 */
export interface ConfirmOptions {
  yes: boolean;
  /** The flag to suggest, for the refusal message. */
  hint?: string;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

export async function confirm(question: string, options: ConfirmOptions): Promise<void> {
  if (options.yes) return;
  const input = options.input ?? process.stdin;
  if (input.isTTY !== true) {
    throw new DispatchrError(
      'usage',
      `${question.replace(/\?$/, '')}: not confirmed; pass ${options.hint ?? '--yes'} to run without a terminal`,
      { status: 2 },
    );
  }
  const rl = createInterface({ input, output: options.output ?? process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^\s*y(es)?\s*$/i.test(answer))
      throw new DispatchrError('aborted', 'aborted; nothing was changed', { status: 1 });
  } finally {
    rl.close();
  }
}
