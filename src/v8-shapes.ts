/**
 * Arrays made so V8 keeps the per-batch code optimized. The claim → dispatch → settle path hands
 * arrays between large per-batch functions (settleColumns, the pg-array writers, onDecisions); V8
 * compiles those for the elements kind it has seen (small integers, doubles, anything; packed or
 * holey), and an array of another kind later deoptimizes them ("wrong map"). Each recompile of
 * settleColumns cost 50-110 ms of a compiler thread, inside the bench's window
 * (bench/NOTES.md, "The warm-up"; `node --trace-deopt` shows them). The helpers here give
 * those arrays one kind from the start, whatever the batch holds and whichever tier made them.
 *
 * Everything else should read as ordinary domain code: use these only where an array crosses into
 * the tuned per-batch functions.
 */

/**
 * `list.map(fn)`, but always into a holey array. V8's `map` builtin makes a packed array and its
 * optimized inline version a holey one, so once the caller was optimized the arrays it handed on
 * changed kind and their readers were deoptimized.
 */
export function holeyMap<T, U>(list: readonly T[], fn: (item: T, index: number) => U): U[] {
  const out = new Array<U>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = fn(list[i], i);
  return out;
}

/**
 * A column of `n` slots whose elements kind is the general one from the start. Columns typed by
 * their first batches made the pg-array functions inlined in settleColumns deoptimize when a later
 * batch held a double or a null.
 */
export function column<T>(n: number): T[] {
  return new Array<T>(n).fill(null as T);
}
