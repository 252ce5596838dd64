import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_ATTEMPTS_CAP,
  effectiveLimits,
  LEASE_HEADROOM_MS,
  MAX_AHEAD_MS,
  taskCapsOf,
} from '../../../src/rules/task-limits.js';

/** A queue's caps on a task's own maxAttempts and timeout, and what a task runs with. */
const LEASE = 120_000;
const queue = (taskLimits?: { maxAttempts?: number; timeout?: number }, maxAttempts = 25) => ({
  timeout: 30_000,
  retry: { maxAttempts },
  taskLimits,
});

describe('taskCapsOf(queue, leaseMs)', () => {
  it("defaults: 100 attempts (or the queue's own maxAttempts when higher), any timeout the lease leaves its headroom for", () => {
    expect(taskCapsOf(queue(), LEASE)).toEqual({
      maxAttempts: DEFAULT_MAX_ATTEMPTS_CAP,
      timeoutMs: LEASE - LEASE_HEADROOM_MS,
      timeoutCapped: false,
    });
    expect(DEFAULT_MAX_ATTEMPTS_CAP).toBe(100);
    expect(taskCapsOf(queue({}, 300), LEASE).maxAttempts).toBe(300);
  });

  it('configured caps; a timeout cap never eats the lease headroom', () => {
    expect(taskCapsOf(queue({ maxAttempts: 3, timeout: 45_000 }), LEASE)).toEqual({
      maxAttempts: 3,
      timeoutMs: 45_000,
      timeoutCapped: true,
    });
    expect(taskCapsOf(queue({ timeout: 600_000 }), LEASE)).toEqual({
      maxAttempts: 100,
      timeoutMs: LEASE - LEASE_HEADROOM_MS,
      timeoutCapped: false,
    });
  });
});

describe('effectiveLimits(task, queue, leaseMs)', () => {
  it("the task's own values, else the queue's", () => {
    expect(effectiveLimits({ maxAttempts: null, timeoutMs: null }, queue(), LEASE)).toEqual({
      maxAttempts: 25,
      timeoutMs: 30_000,
    });
    expect(effectiveLimits({ maxAttempts: 7, timeoutMs: 5_000 }, queue(), LEASE)).toEqual({
      maxAttempts: 7,
      timeoutMs: 5_000,
    });
  });

  it('clamped to the caps, as a config-blind writer may have stored more', () => {
    expect(
      effectiveLimits({ maxAttempts: 1000, timeoutMs: 90_000 }, queue({ maxAttempts: 3, timeout: 45_000 }, 3), LEASE),
    ).toEqual({ maxAttempts: 3, timeoutMs: 45_000 });
    expect(effectiveLimits({ maxAttempts: 1000, timeoutMs: 500_000 }, queue(), LEASE)).toEqual({
      maxAttempts: 100,
      timeoutMs: LEASE - LEASE_HEADROOM_MS,
    });
  });
});

it('one year ahead is 366 days (31,622,400 s): the same date next year always fits', () => {
  expect(MAX_AHEAD_MS).toBe(31_622_400_000);
  expect(Date.UTC(2028, 2, 1) - Date.UTC(2027, 2, 1)).toBe(MAX_AHEAD_MS); // 1 March 2027 → 1 March 2028 spans 29 February
});
