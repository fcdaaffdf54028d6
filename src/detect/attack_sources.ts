/**
 * The attack signals' sums per source for one interval (attack_signals.ts), by the source's number in the
 * interval's AddressIndex: one typed column per sum, reused from one interval to the next.
 *
 * Why columns of their own widths: they were one Float64Array of 15 numbers a source (120 bytes), 2.3 MB at
 * the bench capture's 19 k sources, and this machine charges ~15 µs for the first touch of each fresh 4 KiB
 * page (docs/benchmarks.md), so their first interval paid ~9 ms in page faults. Sums of octets, packets and
 * scores stay Float64 (exact, as before); counts of flows are Uint32 (a source has fewer flows than the flow
 * table's bound); a TTL and the signal bits are bytes; the signals' strengths are recomputed from the sums
 * (attack_signals.ts) instead of stored: 62 bytes a source.
 */

/** See the module comment. */
export class AttackSources {
  /** Packets and octets the source sent in the interval. */
  packets = new Float64Array(0);
  /** See packets. */
  bytes = new Float64Array(0);
  /** The score of its worst flow. */
  worstFlow = new Float64Array(0);
  /** Packets of its flows marked tiny_packets, and sequence gaps of its flows marked sequence_gaps. */
  tinyPackets = new Float64Array(0);
  /** See tinyPackets. */
  gaps = new Float64Array(0);
  /** Its flows that sent something, the TCP ones among them, and the TCP ones never acknowledged. */
  flows = new Uint32Array(0);
  /** See flows. */
  tcpFlows = new Uint32Array(0);
  /** See flows. */
  halfOpen = new Uint32Array(0);
  /** Its flows marked low_ttl, and marked volume_deviation. */
  lowTtlFlows = new Uint32Array(0);
  /** See lowTtlFlows. */
  volumeFlows = new Uint32Array(0);
  /** The highest first TTL of its flows. */
  maxTtl = new Uint8Array(0);
  /** The signal bits of all its flows. */
  bits = new Uint8Array(0);
  /** A flow of the source (its address is that flow's src). */
  flowOf = new Int32Array(0);

  /** Room for sources `0 … n-1`, all zero: call {@link clear} with the sources used before asking for more. */
  ensure(n: number): void {
    if (this.flowOf.length >= n) return;
    // grown as sources come (a million flows may be one source): twice the room, at least 1024
    const room = Math.max(n, this.flowOf.length * 2, 1024);
    this.packets = new Float64Array(room);
    this.bytes = new Float64Array(room);
    this.worstFlow = new Float64Array(room);
    this.tinyPackets = new Float64Array(room);
    this.gaps = new Float64Array(room);
    this.flows = new Uint32Array(room);
    this.tcpFlows = new Uint32Array(room);
    this.halfOpen = new Uint32Array(room);
    this.lowTtlFlows = new Uint32Array(room);
    this.volumeFlows = new Uint32Array(room);
    this.maxTtl = new Uint8Array(room);
    this.bits = new Uint8Array(room);
    this.flowOf = new Int32Array(room);
  }

  /** Zeroes the sums of sources `0 … n-1` (the last interval's), for the next interval. */
  clear(n: number): void {
    const m = Math.min(n, this.flowOf.length);
    for (
      const c of [
        this.packets,
        this.bytes,
        this.worstFlow,
        this.tinyPackets,
        this.gaps,
        this.flows,
        this.tcpFlows,
        this.halfOpen,
        this.lowTtlFlows,
        this.volumeFlows,
        this.maxTtl,
        this.bits,
      ]
    ) c.fill(0, 0, m);
  }
}
