/**
 * Big-endian reads over a byte array. Tiny functions that V8 inlines: the hot path
 * reads headers with these instead of creating a DataView per packet.
 */

/** Unsigned 16-bit big-endian at `o`. */
export function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Unsigned 32-bit big-endian at `o`. */
export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** A 48-bit MAC address at `o` as an exact integer (fits a float64's 53-bit mantissa). */
export function mac48(b: Uint8Array, o: number): number {
  return ((b[o] << 8) | b[o + 1]) * 4294967296 + u32(b, o + 2);
}
