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

/**
 * At most `concurrency` calls of {@link Limiter.run} at once, from anywhere: the poll cycle and the polls
 * a discovery sweep starts share one bound, so a sweep that finds a thousand agents does not poll them
 * all at once. Waiters run in arrival order.
 */
export class Limiter {
  readonly #max: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(concurrency: number) {
    if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, not ${concurrency}`);
    this.#max = concurrency;
  }

  /** Calls running now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `fn` once fewer than `concurrency` others run. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#max) await new Promise<void>((r) => this.#waiting.push(r));
    else this.#active++;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next();
      else this.#active--;
    }
  }
}
