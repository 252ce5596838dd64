/**
 * Runs the selected cases and collects their results. Independent cases run a few at a time (the
 * kit waits on retries and timeouts most of the time, so concurrency keeps a run short); a case
 * marked `serial`, and every guarantees case (they kill the scheduler that every other case
 * depends on), runs alone, after the concurrent ones.
 */
import type { ConformanceCase, KitContext } from './kit.js';

export const DEFAULT_TIMEOUT_MS = 20_000;

export type Outcome = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  case: ConformanceCase;
  /** 1-based, in the order the cases were selected. */
  number: number;
  outcome: Outcome;
  durationMs: number;
  /** The failure's message (fail) or the reason (skip). */
  message?: string;
  /** What the case logged with kit.log(). */
  log: string[];
}

export interface RunOptions {
  concurrency: number;
  /** When set, every guarantees case is skipped with this reason. */
  skipGuarantees?: string;
  /** A context for one case; `log` collects into the given array. */
  contextFor(log: (line: string) => void): KitContext;
  /** Called once per case, in case order (1, 2, 3, ...), as soon as that order allows. */
  onResult?(result: CaseResult): void;
}

/** Cases of `--group` and matching `--grep` (a regular expression on the name). */
export function selectCases(cases: ConformanceCase[], groups: string[], grep?: RegExp): ConformanceCase[] {
  return cases.filter((c) => (groups.length === 0 || groups.includes(c.group)) && (!grep || grep.test(c.name)));
}

export const runsAlone = (c: ConformanceCase): boolean => c.serial === true || c.group === 'guarantees';

export async function runCases(cases: ConformanceCase[], options: RunOptions): Promise<CaseResult[]> {
  const results: (CaseResult | undefined)[] = new Array(cases.length);
  let reported = 0;
  const settle = (index: number, result: CaseResult) => {
    results[index] = result;
    while (reported < cases.length && results[reported]) {
      const ready = results[reported++]!;
      options.onResult?.(ready);
    }
  };

  const indexed = cases.map((c, index) => ({ c, index }));
  const concurrent = indexed.filter(({ c }) => !runsAlone(c));
  const alone = indexed.filter(({ c }) => runsAlone(c));

  let next = 0;
  const worker = async () => {
    while (next < concurrent.length) {
      const { c, index } = concurrent[next++];
      settle(index, await runOne(c, index, options));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, concurrent.length)) }, worker));
  for (const { c, index } of alone) settle(index, await runOne(c, index, options));
  return results as CaseResult[];
}

async function runOne(c: ConformanceCase, index: number, options: RunOptions): Promise<CaseResult> {
  const log: string[] = [];
  const base = { case: c, number: index + 1, log };
  if (c.group === 'guarantees' && options.skipGuarantees)
    return { ...base, outcome: 'skip', durationMs: 0, message: options.skipGuarantees };
  const started = Date.now();
  const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const context = options.contextFor((line) => log.push(line));
    await Promise.race([
      c.run(context),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ...base, outcome: 'pass', durationMs: Date.now() - started };
  } catch (error) {
    return { ...base, outcome: 'fail', durationMs: Date.now() - started, message: messageOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export interface Summary {
  passed: number;
  failed: number;
  failedMust: number;
  skipped: number;
  seconds: number;
}

export function summarize(results: CaseResult[], seconds: number): Summary {
  const failed = results.filter((r) => r.outcome === 'fail');
  return {
    passed: results.filter((r) => r.outcome === 'pass').length,
    failed: failed.length,
    failedMust: failed.filter((r) => r.case.level === 'MUST').length,
    skipped: results.filter((r) => r.outcome === 'skip').length,
    seconds,
  };
}

export function summaryLine(s: Summary): string {
  return `conformance: ${s.passed} passed, ${s.failed} failed (${s.failedMust} MUST), ${s.skipped} skipped in ${s.seconds.toFixed(1)}s`;
}
