/**
 * Remembers the ports of first IP fragments so that later fragments (which carry no transport header)
 * are attributed to the same flow. Direct-mapped and fixed-size: a collision overwrites, an entry
 * older than FRAGMENT_TTL_MS is ignored, so memory is bounded whatever a peer sends.
 */

/** Slots in the table; a power of two. */
const SLOTS = 4096;
/** A fragment train longer than this is treated as unrelated (RFC 791 suggests a 15 s reassembly timer). */
const FRAGMENT_TTL_MS = 30_000;

/** Fragment-id → ports memory for IPv4 and IPv6. */
export class FragmentPorts {
  #key = new Uint32Array(SLOTS * 10); // src[4], dst[4], id, proto|family<<8
  #ports = new Uint32Array(SLOTS); // srcPort << 16 | dstPort
  #ts = new Float64Array(SLOTS);

  #slot(src: Uint32Array, dst: Uint32Array, a: number, id: number, proto: number): number {
    let h = Math.imul(src[a] ^ src[a + 3], 0x9e3779b1) ^ Math.imul(dst[a] ^ dst[a + 3], 0x85ebca77);
    h = Math.imul(h ^ id ^ (proto << 24), 0xc2b2ae3d);
    return (h ^ (h >>> 15)) & (SLOTS - 1);
  }

  #matches(s: number, src: Uint32Array, dst: Uint32Array, a: number, id: number, tag: number): boolean {
    const k = this.#key;
    const o = s * 10;
    return k[o] === src[a] && k[o + 1] === src[a + 1] && k[o + 2] === src[a + 2] && k[o + 3] === src[a + 3] &&
      k[o + 4] === dst[a] && k[o + 5] === dst[a + 1] && k[o + 6] === dst[a + 2] && k[o + 7] === dst[a + 3] &&
      k[o + 8] === id && k[o + 9] === tag;
  }

  /** Records the ports of a first fragment (row address words start at `a` in src/dst). */
  remember(
    src: Uint32Array,
    dst: Uint32Array,
    a: number,
    id: number,
    proto: number,
    family: number,
    srcPort: number,
    dstPort: number,
    tsMs: number,
  ): void {
    const s = this.#slot(src, dst, a, id, proto);
    const k = this.#key;
    const o = s * 10;
    for (let i = 0; i < 4; i++) {
      k[o + i] = src[a + i];
      k[o + 4 + i] = dst[a + i];
    }
    k[o + 8] = id;
    k[o + 9] = proto | (family << 8);
    this.#ports[s] = ((srcPort << 16) | dstPort) >>> 0;
    this.#ts[s] = tsMs;
  }

  /** The remembered `srcPort << 16 | dstPort` of this fragment train, or -1 when unknown. */
  lookup(
    src: Uint32Array,
    dst: Uint32Array,
    a: number,
    id: number,
    proto: number,
    family: number,
    tsMs: number,
  ): number {
    const s = this.#slot(src, dst, a, id, proto);
    if (!this.#matches(s, src, dst, a, id, proto | (family << 8))) return -1;
    if (Math.abs(tsMs - this.#ts[s]) > FRAGMENT_TTL_MS) return -1;
    return this.#ports[s];
  }
}
