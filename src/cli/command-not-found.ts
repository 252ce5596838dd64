import type { Hook } from '@oclif/core';
import { terminalSafe } from '../terminal-safe.js';
import { EXIT_USAGE } from './report-error.js';

/**
 * oclif's `command_not_found` hook (package.json `oclif.hooks`): `dispatchr task list` answers
 * `error: "task list" is not a dispatchr command; did you mean "dispatchr tasks list"?` on one line and
 * exits 2 (usage), instead of oclif's bare "command task:list not found" with a stack trace.
 * The suggestion is the command closest by edit distance, offered only when it is close enough to
 * be a typo (at most a third of what was typed, and at least one edit), so "frobnicate" gets none.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The command id closest to `typed` (ids use ":" between words, as oclif keeps them), if any is close. */
export function closestCommand(typed: string, ids: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: { id: string; distance: number } | undefined;
  for (const id of ids) {
    const distance = editDistance(typed.toLowerCase(), id.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { id, distance };
  }
  return best?.id;
}

const hook: Hook<'command_not_found'> = async function ({ id, config }) {
  const words = (text: string) => text.replace(/:/g, ' ');
  const suggestion = closestCommand(id, config.commandIDs);
  const hint = suggestion
    ? `did you mean "${config.bin} ${words(suggestion)}"?`
    : `\`${config.bin} --help\` lists the commands`;
  process.stderr.write(`error: ${terminalSafe(`"${words(id)}" is not a ${config.bin} command; ${hint}`)}\n`);
  process.exitCode = EXIT_USAGE;
};

export default hook;
