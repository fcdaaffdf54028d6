/**
 * The flow history's key of a 5-tuple: one integer per (family, addresses, ports, protocol), so a
 * period's flows group by a number instead of five columns. Each direction of a conversation is its own
 * flow, as in the flow table.
 */

/** A 53-bit hash of a 5-tuple (two 32-bit mixes; collisions among a million keys: about 1 in 10⁴). */
export function flowKey(
  family: number,
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  k: number,
  srcPort: number,
  dstPort: number,
  proto: number,
): number {
  let h1 = 0x811c9dc5 ^ family, h2 = 0x27d4eb2f ^ proto;
  for (let w = 0; w < 4; w++) {
    h1 = Math.imul(h1 ^ src[k + w], 0x01000193) ^ Math.imul(dst[k + w], 0x85ebca6b);
    h2 = Math.imul(h2 ^ dst[k + w], 0xc2b2ae35) ^ Math.imul(src[k + w], 0x9e3779b1);
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ ((srcPort << 16) | dstPort), 0x2c1b3c6d);
  h2 = Math.imul(h2 ^ ((dstPort << 16) | srcPort) ^ (proto << 8), 0x297a2d39);
  h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 16;
  return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11);
}
