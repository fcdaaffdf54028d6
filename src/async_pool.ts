/**
 * Runs an async function over many items with at most `concurrency` in flight: how discovery probes a
 * /22 and how a poll cycle reaches a thousand agents without a thousand sockets at once.
 */

/**
 * Calls `fn` for every item, at most `concurrency` at a time, in item order of start. Resolves when all
 * have settled; a rejection of `fn` is reported to `onError` (default: ignored), never stops the rest.
 * Stops starting new items once `signal` aborts.
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
  opts: { signal?: AbortSignal; onError?: (item: T, err: unknown) => void } = {},
): Promise<void> {
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, not ${concurrency}`);
  const it = items[Symbol.iterator]();
  const worker = async () => {
    while (!opts.signal?.aborted) {
      const next = it.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (err) {
        opts.onError?.(next.value, err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
