/**
 * One kit run: parse the flags, check the implementation is set up (preflight), start the kit's
 * target, run the cases, write the report. Returns the exit code: 0 when every selected MUST
 * passed, 1 when one failed, 2 on a usage or setup error (one line on stderr).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createApiClient } from './api-client.js';
import { parseKitArgs, USAGE, UsageError, type KitOptions } from './args.js';
import { NAMES, printConfig, SECRETS } from './config.js';
import { dispatchCases } from './groups/dispatch.js';
import { guaranteeCases } from './groups/guarantees.js';
import { recorderCases } from './groups/recorder.js';
import type { ConformanceCase, KitContext } from './kit.js';
import { preflight } from './preflight.js';
import { junitReport } from './report-junit.js';
import { tapFooter, tapHeader, tapLine } from './report-tap.js';
import { runCases, selectCases, summarize, summaryLine, type CaseResult } from './runner.js';
import { startTarget, type RunningTarget } from './target-server.js';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const ALL_CASES = (): ConformanceCase[] => [...recorderCases, ...dispatchCases, ...guaranteeCases];

/** `cases` is for the kit's own tests (a run of chosen cases); the CLI runs every group's. */
export async function main(argv: string[], io: Io, cases: ConformanceCase[] = ALL_CASES()): Promise<number> {
  let parsed;
  try {
    parsed = parseKitArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`dispatchr-conformance: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'print-config') {
    io.stdout(printConfig(parsed));
    return 0;
  }
  return run(parsed.options, io, cases);
}

async function run(options: KitOptions, io: Io, all: ConformanceCase[]): Promise<number> {
  const names = new Set<string>();
  for (const c of all) {
    if (names.has(c.name)) {
      io.stderr(`dispatchr-conformance: two cases are named ${JSON.stringify(c.name)} (a bug in the kit)\n`);
      return 2;
    }
    names.add(c.name);
  }
  const cases = selectCases(all, options.groups, options.grep);
  if (cases.length === 0) {
    io.stderr('dispatchr-conformance: no case matches --group/--grep\n');
    return 2;
  }

  const api = createApiClient(options.url, options.tokens.admin);
  let target: RunningTarget | undefined;
  try {
    const checked = await preflight(api, options.tokens, NAMES, options.port);
    if (checked.problem) {
      io.stderr(`dispatchr-conformance: ${checked.problem}\n`);
      return 2;
    }
    for (const warning of checked.warnings) io.stderr(`dispatchr-conformance: warning: ${warning}\n`);
    try {
      target = await startTarget(options.port);
    } catch (error) {
      io.stderr(`dispatchr-conformance: ${(error as Error).message}\n`);
      return 2;
    }

    const runId = randomBytes(4).toString('hex');
    let counter = 0;
    const contextFor = (log: (line: string) => void): KitContext => ({
      api,
      target: target!,
      names: NAMES,
      tokens: options.tokens,
      secrets: SECRETS,
      commands: options.commands,
      unique: (label) => `${runId}-${slug(label)}-${++counter}`,
      log,
    });

    // TAP streams to stdout as results arrive (in case order); a file or JUnit is written at the end.
    const streaming = options.reporter === 'tap' && !options.out;
    if (streaming) io.stdout(tapHeader(cases.length));
    const started = Date.now();
    const results = await runCases(cases, {
      concurrency: options.concurrency,
      skipGuarantees:
        options.commands.start && options.commands.kill
          ? undefined
          : "needs --start and --kill (the scheduler's commands)",
      contextFor,
      onResult: (result) => {
        if (streaming) io.stdout(tapLine(result));
        if (result.outcome === 'fail')
          io.stderr(`failed [${result.case.level}] ${result.case.name}: ${result.message ?? ''}\n`);
      },
    });
    const summary = summarize(results, (Date.now() - started) / 1000);
    const report = options.reporter === 'junit' ? junitReport(results, summary) : fullTap(results, summary);
    if (options.out) writeFileSync(options.out, report);
    else if (streaming) io.stdout(tapFooter(summary));
    else io.stdout(report);
    io.stderr(`${summaryLine(summary)}\n`);
    return summary.failedMust > 0 ? 1 : 0;
  } finally {
    api.close();
    await target?.close();
  }
}

function fullTap(results: CaseResult[], summary: ReturnType<typeof summarize>): string {
  return tapHeader(results.length) + results.map(tapLine).join('') + tapFooter(summary);
}

function slug(label: string): string {
  return (
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'x'
  );
}
