import { median, type Message } from './common.js';

/**
 * dispatch.pg.cold's extras in the report (bench/procs/cold.ts sends them): the start-up and its
 * phases, each the median over the runs, all in ms after the spawn of `dispatchr schedule`.
 */
export interface ColdExtra {
  startupMs: number;
  phases: Record<string, number>;
  outputLines: number;
  /** The scheduler's CPU before its first request, and per task after it. */
  startupCpuMs: number;
  drainCpuUsPerTask: number;
}

export function coldExtra(results: readonly Message[]): ColdExtra {
  const keys = [...new Set(results.flatMap((r) => Object.keys((r.phases ?? {}) as Record<string, unknown>)))];
  const phase = (key: string) =>
    median(
      results
        .map((r) => (r.phases as Record<string, number | null> | undefined)?.[key])
        .filter((v): v is number => typeof v === 'number'),
    );
  return {
    startupMs: median(results.map((r) => Number(r.startupMs))),
    phases: Object.fromEntries(keys.map((key) => [key, phase(key)])),
    outputLines: median(results.map((r) => Number(r.outputLines))),
    startupCpuMs: median(results.map((r) => Number(r.startupCpuMs))),
    drainCpuUsPerTask: median(results.map((r) => Number(r.drainCpuUsPerTask))),
  };
}

const PHASE_NAMES: Record<string, string> = {
  firstOutputMs: 'first output line',
  startedLogMs: "'scheduler started' logged",
  firstRequestMs: "target's first request",
  lastFinalizedMs: 'last task finalized',
  doneSeenByApiMs: 'the API shows all completed',
};

export function formatCold(extra: ColdExtra): string {
  const phases = Object.entries(extra.phases)
    .filter(([, ms]) => Number.isFinite(ms))
    .map(([key, ms]) => `${PHASE_NAMES[key] ?? key} ${Math.round(ms)}`)
    .join(' → ');
  return `dispatch.pg.cold: startupMs ${Math.round(extra.startupMs)} (spawn → target's first request; target ≤ 1,000); ms after the spawn: ${phases}; scheduler CPU ${Math.round(extra.startupCpuMs)} ms before its first request, ${Math.round(extra.drainCpuUsPerTask)} µs per task after it; ${extra.outputLines} lines of output`;
}
