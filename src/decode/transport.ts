/**
 * Transport headers: TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792), ICMPv6 (RFC 4443), SCTP (RFC 9260).
 * `decodeTransport` writes ports and TCP flags into a batch row; the reader functions below it are
 * for tools and tests that want the whole header (they allocate, so never call them per packet).
 */
import { u16, u32 } from "../net/mod.ts";
import { Malformed, OK } from "./malformed.ts";
import { AsideUse, type PacketBatch } from "./packet_batch.ts";
import { payloadHint } from "./payload_hint.ts";

/** IP protocol numbers (https://www.iana.org/assignments/protocol-numbers). */
export const IpProto = {
  Icmp: 1,
  Tcp: 6,
  Udp: 17,
  Icmpv6: 58,
  Sctp: 132,
} as const;

/** Where the transport payload of the last decoded packet starts in the frame's buffer (0: none). */
export class L4Span {
  /** Offset of the first payload octet in the buffer the frame is in; 0 when the packet has none. */
  start = 0;
}

/**
 * Fills srcPort, dstPort, tcpFlags and hint of `row` from the transport header at `p` (data up to `end`).
 * ICMP and ICMPv6 carry type in srcPort and code in dstPort, as Zeek's conn.log does. For TCP and UDP it
 * also fills the visibility columns (seq, ack, window, payload length) and, with `span`, where the payload
 * starts, for the name decoders. The hint is what a TCP or UDP payload's first bytes say (payload_hint.ts);
 * a row with one is counted in the batch.
 * @param l4Wire octets of the transport segment on the wire (the IP length says; may exceed `end - p`)
 * @returns OK, or a Malformed reason
 */
export function decodeTransport(
  b: Uint8Array,
  p: number,
  end: number,
  proto: number,
  batch: PacketBatch,
  row: number,
  l4Wire: number = end - p,
  span?: L4Span,
): number {
  // visibility: defaults for rows that are not TCP (ends at the TCP case)
  batch.tcpSeq[row] = 0;
  batch.tcpAck[row] = 0;
  batch.tcpWindow[row] = 0;
  batch.payLen[row] = 0;
  if (span) span.start = 0;
  switch (proto) {
    case IpProto.Tcp: {
      // ports (4) + seq (4) + ack (4) + data offset (1) + flags (1)
      if (p + 14 > end) return Malformed.TruncatedTcp;
      const hl = (b[p + 12] >> 4) << 2;
      if (hl < 20) return Malformed.BadTcpDataOffset;
      const sp = u16(b, p), dp = u16(b, p + 2);
      batch.srcPort[row] = sp;
      batch.dstPort[row] = dp;
      batch.tcpFlags[row] = b[p + 13];
      batch.tcpSeq[row] = u32(b, p + 4);
      batch.tcpAck[row] = u32(b, p + 8);
      // window (2) after the flags; a snaplen of 14 octets of TCP leaves it out
      if (p + 16 <= end) batch.tcpWindow[row] = u16(b, p + 14);
      else batch.tcpWindow[row] = 0xffff;
      const pay = l4Wire - hl;
      batch.payLen[row] = pay > 0 ? (pay > 0xffff ? 0xffff : pay) : 0;
      if (span && pay > 0 && p + hl < end) span.start = p + hl;
      return hinted(batch, row, p + hl < end ? payloadHint(b, p + hl, end, proto, sp, dp) : 0);
    }
    case IpProto.Udp: {
      if (p + 8 > end) return Malformed.TruncatedUdp;
      if (u16(b, p + 4) < 8) return Malformed.BadUdpLength;
      const sp = u16(b, p), dp = u16(b, p + 2);
      batch.srcPort[row] = sp;
      batch.dstPort[row] = dp;
      batch.tcpFlags[row] = 0;
      const pay = l4Wire - 8;
      batch.payLen[row] = pay > 0 ? (pay > 0xffff ? 0xffff : pay) : 0;
      if (span && pay > 0 && p + 8 < end) span.start = p + 8;
      return hinted(batch, row, p + 8 < end ? payloadHint(b, p + 8, end, proto, sp, dp) : 0);
    }
    case IpProto.Sctp: {
      if (p + 4 > end) return Malformed.TruncatedUdp;
      batch.srcPort[row] = u16(b, p);
      batch.dstPort[row] = u16(b, p + 2);
      batch.tcpFlags[row] = 0;
      batch.hint[row] = 0;
      return OK;
    }
    case IpProto.Icmp:
    case IpProto.Icmpv6: {
      if (p + 2 > end) return Malformed.TruncatedIcmp;
      batch.srcPort[row] = b[p];
      batch.dstPort[row] = b[p + 1];
      batch.tcpFlags[row] = 0;
      batch.hint[row] = 0;
      return OK;
    }
    default:
      batch.srcPort[row] = 0;
      batch.dstPort[row] = 0;
      batch.tcpFlags[row] = 0;
      batch.hint[row] = 0;
      return OK;
  }
}

/** Writes the row's hint, counting a row that has one; OK. */
function hinted(batch: PacketBatch, row: number, hint: number): number {
  batch.hint[row] = hint;
  if (hint !== 0) batch.asideUse[AsideUse.Hints]++;
  return OK;
}

/** TCP flag bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** Flag letters in tcpdump's order, e.g. 0x12 → "SA" (SYN+ACK). */
export function tcpFlagsText(flags: number): string {
  let s = "";
  if (flags & TcpFlag.FIN) s += "F";
  if (flags & TcpFlag.SYN) s += "S";
  if (flags & TcpFlag.RST) s += "R";
  if (flags & TcpFlag.PSH) s += "P";
  if (flags & TcpFlag.ACK) s += "A";
  if (flags & TcpFlag.URG) s += "U";
  if (flags & TcpFlag.ECE) s += "E";
  if (flags & TcpFlag.CWR) s += "C";
  return s;
}

/** A whole TCP header, for tools and tests (allocates). */
export interface TcpHeader {
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** Sequence number. */
  seq: number;
  /** Acknowledgement number. */
  ack: number;
  /** Header length in bytes (data offset × 4). */
  headerLength: number;
  /** Flags byte. */
  flags: number;
  /** Receive window (unscaled). */
  window: number;
}

/** Reads the TCP header at `p`, or undefined when it is truncated or its data offset is invalid. */
export function readTcpHeader(b: Uint8Array, p: number, end: number = b.length): TcpHeader | undefined {
  if (p + 20 > end) return undefined;
  const headerLength = (b[p + 12] >> 4) * 4;
  if (headerLength < 20) return undefined;
  return {
    srcPort: u16(b, p),
    dstPort: u16(b, p + 2),
    seq: u32(b, p + 4),
    ack: u32(b, p + 8),
    headerLength,
    flags: b[p + 13],
    window: u16(b, p + 14),
  };
}
