/**
 * The seam between packet sources and the decoder.
 *
 * A source (the AF_PACKET ring, a pcap or pcapng file) walks its own framing
 * and calls `frame()` once per captured frame with a view into its buffer; the
 * sink must copy what it needs before returning, because the bytes belong to
 * the source (a ring block is handed back to the kernel, a file chunk is
 * overwritten by the next read).
 */

/** Link-layer header types (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  /** LINKTYPE_ETHERNET: IEEE 802.3 / Ethernet II. */
  Ethernet: 1,
  /** LINKTYPE_RAW: raw IPv4 or IPv6, version from the first nibble. */
  Raw: 101,
  /** LINKTYPE_LINUX_SLL: Linux "cooked" capture v1, 16-byte header. */
  LinuxSll: 113,
  /** LINKTYPE_LINUX_SLL2: Linux "cooked" capture v2, 20-byte header. */
  LinuxSll2: 276,
} as const;

/** Receives captured frames one at a time, without allocation. */
export interface FrameSink {
  /**
   * One captured frame.
   * @param buf the source's buffer (valid only during the call)
   * @param off where the frame starts in buf
   * @param capLen bytes captured (may be less than wireLen with a snaplen)
   * @param wireLen the frame's length on the wire
   * @param tsMs capture time in milliseconds since the epoch (fraction for sub-ms)
   * @param linkType one of LinkType (per frame: a pcapng file mixes interfaces)
   */
  frame(buf: Uint8Array, off: number, capLen: number, wireLen: number, tsMs: number, linkType: number): void;
  /** The source reached a natural boundary (end of a chunk or ring block): hand on what is buffered. */
  flush(): void;
}
