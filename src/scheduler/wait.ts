/**
 * A wake-able sleep shared by several sleepers: each sleep resolves after its `ms`, or earlier when
 * woken. `wakeOne()` wakes the longest sleeper (one wake-up, one claim: a NOTIFY for one task must
 * not send every idle claim loop to the database); `wakeAll()` wakes everyone (shutdown, a resumed
 * queue). A wake-up that arrives while nobody sleeps is remembered, so it is never lost between a
 * claim that found nothing and the sleep that follows it.
 */
export class Waiter {
  private readonly sleepers: Array<() => void> = [];
  private woken = false;
  private closed = false;

  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const sleepers = this.sleepers;
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        const at = sleepers.indexOf(done);
        if (at >= 0) sleepers.splice(at, 1);
        resolve();
      }
      sleepers.push(done);
    });
  }

  wakeOne(): void {
    const first = this.sleepers.shift();
    if (first) first();
    else this.woken = true;
  }

  /**
   * Shutdown: wakes every sleeper, and every sleep from now on returns at once until `open()`.
   * wakeAll() is not enough there: it remembers a wake-up only when nobody sleeps, so with one loop
   * asleep and another between its claim and its sleep, the second would sleep a whole poll
   * interval (30 s, say) and hold the stop up for as long.
   */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  open(): void {
    this.closed = false;
    this.woken = false;
  }

  wakeAll(): void {
    if (this.sleepers.length === 0) this.woken = true;
    for (const sleeper of this.sleepers.splice(0)) sleeper();
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
