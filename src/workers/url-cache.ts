/**
 * The one cache of target URLs: a pure function of (scope, url) remembered, because a queue's
 * tasks mostly share a few URLs and parsing or joining one costs more than a lookup. Two users, one
 * per side of the worker boundary (a cache cannot be shared across threads): the scheduler's
 * checked join of a task's path under its queue's target (scheduler/target-url-cache.ts), and the
 * worker's parsed URL with its pre-connect guard decision (send-request.ts).
 *
 * Keyed by scope, then by URL: no joined key two different pairs could share, and no string built
 * per lookup. At most `capacity` entries in all; when full it starts over, so URLs that are all
 * different (`/users/<id>`) just miss. Here, under workers/, the worker can import it without the
 * scheduler (test/unit/architecture.test.ts).
 */
export const URL_CACHE_SIZE = 1024;

export class UrlCache<V> {
  private readonly byScope = new Map<string, Map<string, V>>();
  private entries = 0;

  constructor(
    private readonly compute: (scope: string, url: string) => V,
    private readonly capacity: number = URL_CACHE_SIZE,
  ) {}

  get(scope: string, url: string): V {
    let byUrl = this.byScope.get(scope);
    const known = byUrl?.get(url);
    if (known !== undefined) return known;
    const value = this.compute(scope, url);
    if (this.entries >= this.capacity) {
      this.byScope.clear();
      this.entries = 0;
      byUrl = undefined;
    }
    if (!byUrl) this.byScope.set(scope, (byUrl = new Map()));
    byUrl.set(url, value);
    this.entries += 1;
    return value;
  }

  /** How many values are remembered (tests). */
  get size(): number {
    return this.entries;
  }
}
