/**
 * Garbage for fuzz tests of network decoders: random bytes, truncations, bit flips, overwritten bytes
 * and spliced slices of valid messages, from a seeded generator so a failing case can be replayed.
 */

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutated datagram made from one of `seeds` (valid messages), or plain random bytes. */
export function mutateDatagram(seeds: readonly Uint8Array[], rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const base = seeds[pick(seeds.length)];
  switch (pick(5)) {
    case 0:
      return Uint8Array.from({ length: pick(200) }, () => pick(256));
    case 1:
      return base.slice(0, pick(base.length));
    case 2: {
      const out = base.slice();
      for (let i = 0, n = 1 + pick(4); i < n; i++) out[pick(out.length)] ^= 1 << pick(8);
      return out;
    }
    case 3: {
      // Values that sit on BER boundaries: zero length, the long-form marker, sign bits.
      const out = base.slice();
      for (let i = 0, n = 1 + pick(3); i < n; i++) {
        out[pick(out.length)] = [0x00, 0x7f, 0x80, 0x81, 0xff][pick(5)];
      }
      return out;
    }
    default: {
      const a = pick(base.length);
      const b = pick(base.length);
      return Uint8Array.from([...base.subarray(0, a), ...base.subarray(b)]);
    }
  }
}
