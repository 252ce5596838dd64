import type { ConformanceCase } from '../kit.js';
import { guaranteeRestartCases } from './guarantees-restart.js';

/**
 * The guarantees group's cases (docs/spec.md 8): they kill, stop and start the scheduler through
 * the `--kill`, `--stop` and `--start` commands, so the runner runs them alone, and skips them
 * when those commands are not given.
 */
export const guaranteeCases: ConformanceCase[] = [...guaranteeRestartCases];
