import { describe, expect, it } from 'vitest';
import {
  builtinStrategies,
  getBuiltinStrategy,
  suggestStrategyName,
  unknownStrategyMessage,
} from '../../../src/strategies/registry.js';

describe('strategy registry', () => {
  it('knows the four built-ins by name', () => {
    expect([...builtinStrategies.keys()]).toEqual(['exponential', 'linear', 'fixed', 'cloud-tasks']);
    for (const name of builtinStrategies.keys()) expect(getBuiltinStrategy(name)?.name).toBe(name);
    expect(getBuiltinStrategy('Exponential')).toBeUndefined();
    expect(getBuiltinStrategy('toString')).toBeUndefined();
  });

  it('suggests the closest built-in for a typo', () => {
    expect(suggestStrategyName('exponental')).toBe('exponential');
    expect(suggestStrategyName('Exponential')).toBe('exponential');
    expect(suggestStrategyName('cloudtasks')).toBe('cloud-tasks');
    expect(suggestStrategyName('fixd')).toBe('fixed');
    expect(suggestStrategyName('liner')).toBe('linear');
    expect(suggestStrategyName('banana')).toBeUndefined();
    expect(suggestStrategyName('fibonacci')).toBeUndefined();
  });

  it('words the unknown-name message with the suggestion or the list', () => {
    expect(unknownStrategyMessage('exponental')).toBe(
      'unknown retry strategy "exponental"; did you mean "exponential"?',
    );
    expect(unknownStrategyMessage('banana')).toBe(
      'unknown retry strategy "banana"; expected one of "exponential", "linear", "fixed", "cloud-tasks", a path to a plugin module ("./strategies/mine.js") or an installed npm package',
    );
  });
});
