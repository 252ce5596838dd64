import {
  parseStrategyOptions,
  strategyShapeProblems,
  valueText,
  type AttemptInfo,
  type RetryStrategy,
} from './strategy.js';

/**
 * A check plugin authors (and our own tests) run against a strategy: for attempts 1..100, under
 * fixed and seeded random sources and a spread of failure kinds, every delay must be a finite
 * number in [0, maxDelayMs(options)], the same when replayed with the same random draws (purity),
 * and never drawn from Math.random. Returns data rather than throwing, so a test can show every failure.
 */

export interface ConformanceOptions {
  /** Seeded pseudo-random sources tried on top of the fixed ones (0, 0.5, 0.999999). Default 5. */
  samples?: number;
}

export interface ConformanceResult {
  ok: boolean;
  failures: string[];
}

const MAX_ATTEMPT = 100;
/** Examples kept per kind of failure, so one loud kind (say, impurity) cannot hide another (say, -1). */
const EXAMPLES_PER_KIND = 3;
const FAILURES: ReadonlyArray<Pick<AttemptInfo, 'status' | 'retryAfterMs' | 'error'>> = [
  { status: null, retryAfterMs: null, error: 'timeout' },
  { status: null, retryAfterMs: null, error: 'connection refused' },
  { status: 500, retryAfterMs: null, error: null },
  { status: 503, retryAfterMs: 30_000, error: null },
  { status: 429, retryAfterMs: null, error: null },
  { status: 404, retryAfterMs: null, error: null },
];

/** `options` are raw `retry.options` as a config would give them; they go through the strategy's schema first. */
export function checkStrategyConformance<Options>(
  strategy: RetryStrategy<Options>,
  options?: unknown,
  { samples = 5 }: ConformanceOptions = {},
): ConformanceResult {
  const shape = strategyShapeProblems(strategy);
  if (shape.length > 0) return { ok: false, failures: shape };
  const parsed = parseStrategyOptions(strategy, options ?? {});
  if (!parsed.ok) {
    return {
      ok: false,
      failures: parsed.problems.map(
        (p) => `options${p.path ? `.${p.path}` : ''} rejected by optionsSchema: ${p.message}`,
      ),
    };
  }
  const maxDelayMs = callSafely(() => strategy.maxDelayMs(parsed.options));
  if (!isDelay(maxDelayMs.value)) {
    const what = maxDelayMs.error ?? `returned ${valueText(maxDelayMs.value)}`;
    return { ok: false, failures: [`maxDelayMs ${what}; expected a finite number >= 0`] };
  }

  const kinds = new Map<Kind, { examples: string[]; more: number }>();
  const report: Report = (kind, message) => {
    const entry = kinds.get(kind) ?? { examples: [], more: 0 };
    kinds.set(kind, entry);
    if (entry.examples.length < EXAMPLES_PER_KIND) entry.examples.push(message);
    else entry.more++;
  };
  const originalRandom = Math.random;
  let usedMathRandom = false;
  Math.random = () => {
    usedMathRandom = true;
    return originalRandom();
  };
  try {
    for (const source of randomSources(samples)) {
      for (const failure of FAILURES) {
        for (let attempt = 1; attempt <= MAX_ATTEMPT; attempt++) {
          const where = `attempt ${attempt} (status ${failure.status ?? 'none'}, ${source.label})`;
          checkOne(strategy, parsed.options, maxDelayMs.value, { ...failure, attempt }, source.next, where, report);
        }
      }
    }
  } finally {
    Math.random = originalRandom;
  }
  const failures: string[] = [];
  if (usedMathRandom)
    failures.push('calls Math.random; use attemptInfo.random so a stored attempt replays to the same delay');
  for (const [kind, { examples, more }] of kinds) {
    failures.push(...examples);
    if (more > 0) failures.push(`... and ${more} more "${kind}" failures`);
  }
  return { ok: failures.length === 0, failures };
}

function checkOne<Options>(
  strategy: RetryStrategy<Options>,
  options: Options,
  maxDelayMs: number,
  failure: Pick<AttemptInfo, 'attempt' | 'status' | 'retryAfterMs' | 'error'>,
  random: () => number,
  where: string,
  report: Report,
): void {
  const draws: number[] = [];
  const info = (draw: () => number): AttemptInfo => ({
    ...failure,
    firstAttemptAt: FIRST_ATTEMPT_AT,
    queue: 'conformance',
    random: draw,
  });
  const first = callSafely(() =>
    strategy.delay(
      info(() => record(draws, random())),
      options,
    ),
  );
  if (first.error !== undefined) return report('threw', `${where}: ${first.error}`);
  if (!isDelay(first.value))
    return report('invalid', `${where}: returned ${valueText(first.value)}; expected a finite number >= 0`);
  if (first.value > maxDelayMs)
    return report('above maxDelayMs', `${where}: returned ${first.value}, above maxDelayMs ${maxDelayMs}`);
  // Replaying the same draws must give the same delay: a restart recomputes from stored data.
  let index = 0;
  const again = callSafely(() =>
    strategy.delay(
      info(() => (index < draws.length ? draws[index++] : 0.5)),
      options,
    ),
  );
  if (!Object.is(again.value, first.value)) {
    report(
      'not pure',
      `${where}: not pure: returned ${first.value}, then ${again.error ?? valueText(again.value)} for the same attempt and random draws`,
    );
  }
}

type Kind = 'threw' | 'invalid' | 'above maxDelayMs' | 'not pure';
type Report = (kind: Kind, message: string) => void;

const FIRST_ATTEMPT_AT = new Date('2024-01-01T00:00:00.000Z');

function randomSources(samples: number): Array<{ label: string; next: () => number }> {
  const fixed = [0, 0.5, 0.999999].map((value) => ({ label: `random() = ${value}`, next: () => value }));
  const seeded = Array.from({ length: Math.max(0, samples) }, (_, i) => ({
    label: `seeded random #${i + 1}`,
    next: mulberry32(0x9e3779b9 * (i + 1)),
  }));
  return [...fixed, ...seeded];
}

/** A tiny seeded PRNG (Tommy Ettinger's mulberry32): reproducible sources, so a failure can be rerun. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function record(draws: number[], value: number): number {
  draws.push(value);
  return value;
}

function callSafely(fn: () => unknown): { value: unknown; error?: string } {
  try {
    return { value: fn() };
  } catch (error) {
    return { value: undefined, error: `threw ${error instanceof Error ? error.message : String(error)}` };
  }
}

function isDelay(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
