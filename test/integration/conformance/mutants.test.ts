import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, copyPackage, mutantOf, type Mutation } from './mutant-build.js';
import { runKitAgainst, type KitRun } from './mutant-run.js';

/**
 * The conformance kit can fail (issue 22: "at least five named mutants, each caught by the kit").
 * Each mutant is Dispatchr's compiled package with one deliberate bug; the kit, run with --grep
 * for the cases meant to catch it, must exit 1 naming a failed case. The unmutated build passes
 * the same cases, so a failure is the mutant's doing and not a broken case.
 */
interface Mutant {
  name: string;
  mutation: Mutation;
  /** The case that must fail (its full name); the kit runs only it. */
  caughtBy: string;
  /** Its failure message says why: the mutant's own bug, not some other breakage. */
  because: RegExp;
}

const MUTANTS: Mutant[] = [
  {
    name: 'retries a 4xx: 400 classified as retry',
    mutation: {
      file: 'workers/classify.js',
      search: 'if (status === 408 || (status >= 500 && status < 600))',
      replace: 'if (status === 400 || status === 408 || (status >= 500 && status < 600))',
    },
    caughtBy: '6 400, 404 and 418 fail the task at once',
    because: /answer 400: requests that reached the target: expected 1, got [23]/,
  },
  {
    name: 'drops the signature',
    mutation: {
      file: 'workers/dispatch-headers.js',
      search: "headers['webhook-signature'] = signature;",
      replace: 'void signature;',
    },
    caughtBy: '5.3 webhook-signature holds one v1 signature per secret, newest first, over id.timestamp.body',
    because: /webhook-signature: missing/,
  },
  {
    name: 'reuses an attempt number: Dispatchr-Attempt stops at 2',
    mutation: {
      file: 'workers/dispatch-headers.js',
      search: "headers['dispatchr-attempt'] = String(request.attempt);",
      replace: "headers['dispatchr-attempt'] = String(Math.min(request.attempt, 2));",
    },
    caughtBy: '7 a task is tried maxAttempts times in all, then failed, each attempt with a new number',
    because: /Dispatchr-Attempt: never the same number twice/,
  },
  {
    name: "accepts an unknown field: the create schema's strictness dropped",
    mutation: {
      file: 'recorder/schemas/task-input.schema.js',
      search: 'const task = z.strictObject({',
      replace: 'const task = z.looseObject({',
    },
    caughtBy: '4.1 an unknown field is 400 naming it, and nothing is written',
    because: /colour/,
  },
  {
    // The check before the hand-off to the worker (batch-dispatch.ts) never fires from outside:
    // a claimed batch is handed on at once. The one at the connection gate does, when a burst
    // outnumbers the connections per origin: the kit's 5.4 case makes such a burst.
    name: 'sends with less lease left than the timeout: the connection-gate lease check dropped',
    mutation: {
      file: 'workers/send-request.js',
      search: 'if (request.sendWithinMs !== undefined && waitedMs > request.sendWithinMs) {',
      replace: 'if (false) {',
    },
    caughtBy: '5.4 a request is sent only while its lease covers its whole timeout and the margin',
    because: /was sent \d+ ms after its claim/,
  },
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An exact match of the cases' names, as the kit's --grep regular expression. */
const grepFor = (names: string[]) => `^(${names.map(escape).join('|')})$`;
/** The case's TAP line: `ok 3 - <name> [MUST]` or `not ok 3 - ...`. */
const tapLine = (verdict: 'ok' | 'not ok', name: string) => new RegExp(`^${verdict} \\d+ - ${escape(name)} `, 'm');

function explain(run: KitRun): string {
  return `exit ${run.code}\n${run.stdout}\n${run.stderr}\n--- implementation ---\n${run.logs.slice(-3000)}`;
}

describe('the conformance kit catches mutants of Dispatchr', () => {
  let root: string;
  let base: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'dispatchr-mutants-'));
    base = path.join(root, 'base');
    await buildPackage(base);
  }, 180_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the unmutated build passes every case that should catch a mutant', async () => {
    const dir = path.join(root, 'unmutated');
    copyPackage(base, dir);
    const run = await runKitAgainst(dir, grepFor(MUTANTS.map((m) => m.caughtBy)), base);
    expect(run.code, explain(run)).toBe(0);
    for (const mutant of MUTANTS) expect(run.stdout, explain(run)).toMatch(tapLine('ok', mutant.caughtBy));
  }, 120_000);

  it.each(MUTANTS)(
    'catches the mutant that $name',
    async (mutant) => {
      const dir = path.join(root, mutant.mutation.file.replace(/\W/g, '-') + MUTANTS.indexOf(mutant));
      mutantOf(base, dir, mutant.mutation);
      const run = await runKitAgainst(dir, grepFor([mutant.caughtBy]), base);
      expect(run.code, explain(run)).toBe(1);
      expect(run.stdout, explain(run)).toMatch(tapLine('not ok', mutant.caughtBy));
      expect(run.stdout, explain(run)).toMatch(mutant.because);
    },
    120_000,
  );
});
