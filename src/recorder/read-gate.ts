import { DispatchrError } from '../errors.js';

/**
 * At most `max` lists and searches at once in one recorder. A read past the cap is refused at once
 * (`503 reads_busy`, with Retry-After) instead of waiting for a database connection: waiting, it
 * would hold its place in the pool's queue ahead of the creates, which are what must not fail.
 */
export interface ReadGate {
  run<T>(read: () => Promise<T>): Promise<T>;
}

export function createReadGate(max: number): ReadGate {
  let running = 0;
  return {
    async run(read) {
      if (running >= max) {
        throw new DispatchrError(
          'reads_busy',
          `${max} lists or searches are running in this recorder (recorder.maxConcurrentReads); retry shortly`,
          {
            status: 503,
            expose: true,
          },
        );
      }
      running++;
      try {
        return await read();
      } finally {
        running--;
      }
    },
  };
}
