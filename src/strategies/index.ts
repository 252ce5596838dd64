/**
 * Public surface for strategy plugin authors (`dispatchr/strategies`): the contract's types, the
 * helpers to write and check a strategy, and the built-ins to compose with or wrap.
 */
export {
  defineStrategy,
  durationOption,
  nextRetryDelay,
  parseStrategyOptions,
  MAX_OPTION_DURATION_MS,
  type AttemptInfo,
  type DelayResult,
  type OptionProblem,
  type OptionsIssue,
  type OptionsParseResult,
  type OptionsSchema,
  type ParsedOptions,
  type RetryStrategy,
} from './strategy.js';
export { checkStrategyConformance, type ConformanceOptions, type ConformanceResult } from './conformance.js';
export { applyJitter, JITTER_KINDS, type JitterKind } from './jitter.js';
export { exponentialStrategy, type ExponentialOptions } from './exponential.strategy.js';
export { linearStrategy, type LinearOptions } from './linear.strategy.js';
export { fixedStrategy, type FixedOptions } from './fixed.strategy.js';
export { cloudTasksStrategy, type CloudTasksOptions } from './cloud-tasks.strategy.js';
export { builtinStrategies, getBuiltinStrategy } from './registry.js';
export type { RetryPolicy } from './load-plugins.js';
