/**
 * A wake-able sleep: resolves after `ms`, or earlier when `wake()` is called. Producers idle on it,
 * and wake-ups (NOTIFY, an in-process create, a freed slot, shutdown) cut it short. A wake that
 * arrives while nobody sleeps is remembered, so it is never lost between two checks.
 */
export class Waiter {
  private pending: (() => void) | null = null;
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.pending === done) self.pending = null;
        resolve();
      }
      this.pending = done;
    });
  }

  wake(): void {
    if (this.pending) {
      const pending = this.pending;
      this.pending = null;
      pending();
    } else {
      this.woken = true;
    }
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
