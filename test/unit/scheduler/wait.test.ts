import { describe, expect, it } from 'vitest';
import { Waiter } from '../../../src/scheduler/wait.js';

/** Settles within the test's own turn of the event loop, or answers 'pending'. */
async function state(promise: Promise<void>): Promise<'woken' | 'pending'> {
  return Promise.race([
    promise.then(() => 'woken' as const),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 20)),
  ]);
}

describe('Waiter (the claim loops sleep on one)', () => {
  it('wakeOne wakes exactly one sleeper, the longest asleep first', async () => {
    const waiter = new Waiter();
    const first = waiter.sleep(10_000);
    const second = waiter.sleep(10_000);
    waiter.wakeOne();
    expect(await state(first)).toBe('woken');
    expect(await state(second)).toBe('pending');
    waiter.wakeOne();
    expect(await state(second)).toBe('woken');
  });

  it('wakeAll wakes every sleeper', async () => {
    const waiter = new Waiter();
    const sleepers = [waiter.sleep(10_000), waiter.sleep(10_000), waiter.sleep(10_000)];
    waiter.wakeAll();
    expect(await Promise.all(sleepers.map(state))).toEqual(['woken', 'woken', 'woken']);
  });

  it('remembers a wake-up that came while nobody slept, for the next sleep only', async () => {
    const waiter = new Waiter();
    waiter.wakeOne();
    expect(await state(waiter.sleep(10_000))).toBe('woken');
    const next = waiter.sleep(10_000);
    expect(await state(next)).toBe('pending');
    waiter.wakeAll();
    await next;
  });

  it('a sleep that timed out leaves the queue: the next wakeOne reaches a live sleeper', async () => {
    const waiter = new Waiter();
    await waiter.sleep(1); // times out
    const live = waiter.sleep(10_000);
    waiter.wakeOne();
    expect(await state(live)).toBe('woken');
  });

  it('close wakes every sleeper and every later sleep, one asleep and one not yet (a producer stopping)', async () => {
    const waiter = new Waiter();
    const asleep = waiter.sleep(30_000);
    waiter.close();
    expect(await state(asleep)).toBe('woken');
    // A second claim loop that reaches its sleep only after the stop must not sleep its poll interval.
    expect(await state(waiter.sleep(30_000))).toBe('woken');
    expect(await state(waiter.sleep(30_000))).toBe('woken');
    waiter.open();
    const again = waiter.sleep(10_000);
    expect(await state(again)).toBe('pending');
    waiter.wakeAll();
    await again;
  });
});
