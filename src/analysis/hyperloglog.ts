/**
 * HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007: "HyperLogLog: the analysis of a near-optimal
 * cardinality estimation algorithm"), on a caller's Uint8Array of 128 registers: distinct values counted in
 * 128 bytes, with a standard error of about 1.04/√128 ≈ 9 %. Registers of several sketches merge by taking
 * the maximum, which is what lets a window of per-minute sketches answer "how many distinct in the last
 * 15 minutes" without keeping the values.
 */

/** Registers per sketch (p = 7). */
export const HLL_REGISTERS = 128;
const P = 7;
/** α₁₂₈ of the paper (§4: α_m = 0.7213 / (1 + 1.079/m) for m ≥ 128). */
const ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS);

/** A well-mixed 32-bit hash of a 32-bit value (murmur3's finaliser), salted. */
export function hash32(x: number, salt: number): number {
  let h = (x ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Adds a value whose hash is `h` to the sketch at `regs[o … o+127]`. */
export function hllAdd(regs: Uint8Array, o: number, h: number): void {
  const i = h >>> (32 - P);
  // Leading zeros of the remaining 25 bits, plus one; a guard bit bounds it at 26.
  const rho = Math.clz32(((h << P) | (1 << (P - 1))) >>> 0) + 1;
  if (rho > regs[o + i]) regs[o + i] = rho;
}

/** Sets `into[0 … 127]` to the register-wise maximum of itself and the sketch at `regs[o …]`. */
export function hllMerge(into: Uint8Array, regs: Uint8Array, o: number): void {
  for (let i = 0; i < HLL_REGISTERS; i++) if (regs[o + i] > into[i]) into[i] = regs[o + i];
}

/** The estimated number of distinct values in the sketch at `regs[o …]` (linear counting when small). */
export function hllEstimate(regs: Uint8Array, o = 0): number {
  let sum = 0, zeros = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const r = regs[o + i];
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const e = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
  // §4's small-range correction: few distinct values leave registers empty, and counting them is exact-er.
  if (e <= 2.5 * HLL_REGISTERS && zeros > 0) return HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros);
  return e;
}
