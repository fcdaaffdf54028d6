/**
 * A seeded pseudo-random generator for tests and their data: the same seed gives the same sequence on
 * every run and machine, so a failure can be replayed.
 */

/** xorshift32 (Marsaglia, 2003): unsigned 32-bit values; a seed of 0 is taken as 1. */
export function seededRng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
