/**
 * A batch of decoded packets in struct-of-arrays form.
 *
 * The decoder writes one row per frame it understands; the flow table and the
 * per-packet detectors read the rows. Rows hold numbers only (addresses as
 * 32-bit words, MACs as 48-bit integers in a float), so neither side allocates
 * per packet, and a whole batch can be posted from a capture Worker to the
 * main thread by transferring its buffers.
 */

/** What a row describes. */
export const RowKind = {
  /** An IPv4 or IPv6 packet that belongs to a flow. */
  Ip: 1,
  /** An ARP packet (RFC 826); fields are in the arp* columns. */
  Arp: 2,
  /**
   * An LLDPDU (IEEE 802.1AB), set aside for the slow path: its bytes (after the EtherType) are in
   * `aside` from `srcPort` for `dstPort` octets; tsMs, frameLen, vlan and ethSrc are filled in.
   */
  Lldp: 3,
  /** A CDP message (after its LLC/SNAP header), set aside like {@link RowKind.Lldp}. */
  Cdp: 4,
} as const;

/**
 * Octets of rare frames (LLDP, CDP) a batch carries for the slow path. Such frames come a few a minute,
 * so the hot path never touches this; a batch whose aside area is full is handed off early. 16 KiB holds
 * a jumbo-frame LLDPDU, and rows address it with 16-bit offsets.
 */
export const ASIDE_BYTES = 16384;

/** Indices into {@link PacketBatch.asideUse}. */
export const AsideUse = {
  /** Octets of `aside` in use. */
  Bytes: 0,
  /** Rows of an aside kind in the batch: 0 lets a consumer skip the batch without reading its rows. */
  Rows: 1,
  /** IP rows whose payload (DNS, a TLS ClientHello, an HTTP request head) was copied aside: see payTaken. */
  Payloads: 2,
  /** IP rows whose `hint` is not 0: 0 lets the cleartext watcher skip the batch. */
  Hints: 3,
} as const;

/** Rows a batch holds by default: big enough to amortise the hand-off, small enough to stay in cache. */
export const DEFAULT_BATCH_ROWS = 4096;

/** The columns of a batch, every one a typed array of `capacity` rows (addresses: 4 words a row). */
export interface PacketBatch {
  /** How many rows may be written. */
  readonly capacity: number;
  /** How many rows are filled. */
  count: number;
  /** RowKind of each row. */
  readonly kind: Uint8Array;
  /** Capture time, milliseconds since the epoch (fraction keeps microseconds). */
  readonly tsMs: Float64Array;
  /** Frame length on the wire (before any snaplen truncation). */
  readonly frameLen: Uint32Array;
  /** Outermost 802.1Q VLAN id, 0 when untagged. */
  readonly vlan: Uint16Array;
  /** IP version: 4 or 6. */
  readonly family: Uint8Array;
  /** Source address as 4 big-endian words; an IPv4 address sits in word 0 and words 1–3 are 0. */
  readonly src: Uint32Array;
  /** Destination address, same layout as src. */
  readonly dst: Uint32Array;
  /** TCP/UDP source port; ICMP type. */
  readonly srcPort: Uint16Array;
  /** TCP/UDP destination port; ICMP code. */
  readonly dstPort: Uint16Array;
  /** IP protocol number of the transport (after IPv6 extension headers). */
  readonly proto: Uint8Array;
  /** IP-layer octets: IPv4 total length, IPv6 payload length + 40 (the NetFlow convention). */
  readonly ipBytes: Uint32Array;
  /** TCP flags byte (FIN=0x01 … CWR=0x80), 0 for other protocols. */
  readonly tcpFlags: Uint8Array;
  /** What the payload's first bytes say (decode/payload_hint.ts PayloadHint), 0 for nothing. */
  readonly hint: Uint8Array;
  /** Ethernet source MAC (48-bit integer), 0 when the link type has none. */
  readonly ethSrc: Float64Array;
  /** ARP operation (1 request, 2 reply). */
  readonly arpOp: Uint8Array;
  /** ARP sender hardware address (48-bit integer). */
  readonly arpSha: Float64Array;
  /** ARP target hardware address (48-bit integer). */
  readonly arpTha: Float64Array;
  /**
   * For an ARP row, 1 when its frame was sent to one station at the link layer (an Ethernet unicast
   * destination, or a cooked capture's "to us" / "to another host"): a request that asks a host known at
   * that MAC whether it is still there (RFC 1122 §2.3.2.1), not one that looks for an unknown host. 0 for a
   * broadcast, or when the capture does not say.
   */
  readonly arpUnicast: Uint8Array;
  /** The bytes of set-aside frames (RowKind.Lldp, RowKind.Cdp), {@link ASIDE_BYTES} of them. */
  readonly aside: Uint8Array;
  /** How much of `aside` is in use, see {@link AsideUse}; in the batch's memory so it crosses threads with it. */
  readonly asideUse: Uint32Array;
  // ---- visibility columns (names, TCP health, packet signals; docs/visibility.md) ----
  /** TCP sequence number; 0 for other protocols. */
  readonly tcpSeq: Uint32Array;
  /** TCP acknowledgement number; 0 for other protocols. */
  readonly tcpAck: Uint32Array;
  /** TCP receive window (unscaled); 0 for other protocols, 0xffff when the snaplen cut it off. */
  readonly tcpWindow: Uint16Array;
  /** TCP or UDP payload octets on the wire (the IP length says; capped at 65535); 0 otherwise. */
  readonly payLen: Uint16Array;
  /** Where this row's payload copy starts in `aside` (valid when payTaken > 0). */
  readonly payAt: Uint16Array;
  /** Octets of this row's payload copied into `aside` for the name decoders; 0 when none was. */
  readonly payTaken: Uint16Array;
  /** IPv4 TTL or IPv6 hop limit. */
  readonly ttl: Uint8Array;
  // ---- end of visibility columns ----
  /**
   * Where the batch came from: the capture interface's name, set on the main thread when a Worker's batch
   * arrives (one assignment a batch); "" for a file.
   */
  source: string;
}

/** Bytes per row of the visibility columns: tcpSeq, tcpAck (u32); tcpWindow, payLen, payAt, payTaken (u16); ttl. */
const VISIBILITY_ROW_BYTES = 2 * 4 + 4 * 2 + 1;

/** Bytes per row, all columns together (addresses count 4 words each). */
const ROW_BYTES = 4 * 8 + (1 + 4 + 4 + 1) * 4 + 3 * 2 + 7 * 1 + VISIBILITY_ROW_BYTES;
/** The u32 counters of {@link AsideUse}. */
const ASIDE_USE_WORDS = 4;

/** Bytes a batch of `capacity` rows occupies (a multiple of 8, so batches can sit side by side). */
export function batchBytes(capacity: number): number {
  return Math.ceil((capacity * ROW_BYTES + ASIDE_USE_WORDS * 4 + ASIDE_BYTES) / 8) * 8;
}

/**
 * Allocates an empty batch; done once per consumer (or once per hand-off to a Worker), never per packet.
 * With `memory`, the columns are laid over `memory.buffer` from `memory.offset` on (batchBytes(capacity)
 * bytes; a SharedArrayBuffer lets a Worker fill batches the main thread reads without copying).
 */
export function createPacketBatch(
  capacity: number = DEFAULT_BATCH_ROWS,
  memory?: { buffer: ArrayBufferLike; offset: number },
): PacketBatch {
  const buffer = memory?.buffer ?? new ArrayBuffer(batchBytes(capacity));
  let at = memory?.offset ?? 0;
  // Widest columns first, so every column starts aligned to its element size.
  const f64 = (n: number) => {
    const a = new Float64Array(buffer, at, n);
    at += n * 8;
    return a;
  };
  const u32 = (n: number) => {
    const a = new Uint32Array(buffer, at, n);
    at += n * 4;
    return a;
  };
  const u16 = (n: number) => {
    const a = new Uint16Array(buffer, at, n);
    at += n * 2;
    return a;
  };
  const u8 = (n: number) => {
    const a = new Uint8Array(buffer, at, n);
    at += n;
    return a;
  };
  return {
    capacity,
    count: 0,
    tsMs: f64(capacity),
    ethSrc: f64(capacity),
    arpSha: f64(capacity),
    arpTha: f64(capacity),
    frameLen: u32(capacity),
    src: u32(capacity * 4),
    dst: u32(capacity * 4),
    ipBytes: u32(capacity),
    asideUse: u32(ASIDE_USE_WORDS),
    tcpSeq: u32(capacity),
    tcpAck: u32(capacity),
    source: "",
    vlan: u16(capacity),
    srcPort: u16(capacity),
    dstPort: u16(capacity),
    tcpWindow: u16(capacity),
    payLen: u16(capacity),
    payAt: u16(capacity),
    payTaken: u16(capacity),
    kind: u8(capacity),
    family: u8(capacity),
    proto: u8(capacity),
    tcpFlags: u8(capacity),
    hint: u8(capacity),
    arpOp: u8(capacity),
    arpUnicast: u8(capacity),
    ttl: u8(capacity),
    aside: u8(ASIDE_BYTES),
  };
}

/** The buffer behind a batch's columns, for `postMessage(batch, transfer)`. */
export function batchTransferList(b: PacketBatch): ArrayBuffer[] {
  return [b.kind.buffer as ArrayBuffer];
}

/** Something that takes decoded batches: the flow pipeline, a Worker's postMessage, a test. */
export interface BatchConsumer {
  /**
   * Called with a filled batch. Return nothing to let the caller reuse the batch once this returns, or
   * return a fresh batch when this one was given away (posted to another thread with its buffers).
   */
  consume(batch: PacketBatch): PacketBatch | void;
}
