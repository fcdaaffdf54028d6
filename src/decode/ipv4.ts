/** IPv4 (RFC 791): header checks, addresses, IP-layer length, fragments. */
import { u16, u32 } from "../net/mod.ts";
import type { FragmentPorts } from "./fragments.ts";
import { Malformed, OK } from "./malformed.ts";
import type { PacketBatch } from "./packet_batch.ts";
import { decodeTransport, type L4Span } from "./transport.ts";

/** Per-decoder fragment counters, shared by IPv4 and IPv6. */
export interface FragmentCounters {
  /** Non-first fragments attributed to their flow through the first fragment's ports. */
  attributed: number;
  /** Non-first fragments whose first fragment was not seen (counted under ports 0). */
  unattributed: number;
}

/**
 * Decodes the IPv4 packet at `p` into `row`.
 * @param end end of captured bytes
 * @param wireRemain bytes from `p` to the end of the frame on the wire (for the total-length check)
 */
export function decodeIpv4(
  b: Uint8Array,
  p: number,
  end: number,
  wireRemain: number,
  batch: PacketBatch,
  row: number,
  frags: FragmentPorts,
  fc: FragmentCounters,
  span?: L4Span,
): number {
  if (p + 20 > end) return Malformed.TruncatedIpv4;
  const vihl = b[p]; // version (4 bits) | IHL in 32-bit words (4 bits)
  if (vihl >> 4 !== 4) return Malformed.BadIpVersion;
  const ihl = (vihl & 0x0f) << 2;
  if (ihl < 20) return Malformed.BadIpv4HeaderLength;
  if (p + ihl > end) return Malformed.TruncatedIpv4; // options cut by the snaplen
  const totalLength = u16(b, p + 2); // header + payload
  if (totalLength < ihl || totalLength > wireRemain) return Malformed.BadIpv4TotalLength;
  const id = u16(b, p + 4);
  const fragField = u16(b, p + 6); // flags (3 bits: reserved, DF, MF) | fragment offset in 8-byte units (13)
  const proto = b[p + 9];
  const a = row << 2;
  batch.family[row] = 4;
  batch.src[a] = u32(b, p + 12);
  batch.src[a + 1] = 0;
  batch.src[a + 2] = 0;
  batch.src[a + 3] = 0;
  batch.dst[a] = u32(b, p + 16);
  batch.dst[a + 1] = 0;
  batch.dst[a + 2] = 0;
  batch.dst[a + 3] = 0;
  batch.proto[row] = proto;
  batch.ipBytes[row] = totalLength;
  batch.ttl[row] = b[p + 8];
  const l4End = Math.min(end, p + totalLength);
  if ((fragField & 0x1fff) !== 0) {
    return attributeFragment(batch, row, frags, fc, a, id, proto, 4, span);
  }
  const r = decodeTransport(b, p + ihl, l4End, proto, batch, row, totalLength - ihl, span);
  if (r === OK && (fragField & 0x2000) !== 0) {
    frags.remember(
      batch.src,
      batch.dst,
      a,
      id,
      proto,
      4,
      batch.srcPort[row],
      batch.dstPort[row],
      batch.tsMs[row],
    );
  }
  return r;
}

/** A later fragment: the ports of its first fragment, or 0/0 when that was not seen. */
export function attributeFragment(
  batch: PacketBatch,
  row: number,
  frags: FragmentPorts,
  fc: FragmentCounters,
  a: number,
  id: number,
  proto: number,
  family: number,
  span?: L4Span,
): number {
  const ports = frags.lookup(batch.src, batch.dst, a, id, proto, family, batch.tsMs[row]);
  batch.tcpFlags[row] = 0;
  // visibility: a later fragment carries no transport header to read
  batch.tcpSeq[row] =
    batch.tcpAck[row] =
    batch.tcpWindow[row] =
    batch.payLen[row] =
      0;
  if (span) span.start = 0;
  batch.hint[row] = 0;
  if (ports < 0) {
    fc.unattributed++;
    batch.srcPort[row] = 0;
    batch.dstPort[row] = 0;
  } else {
    fc.attributed++;
    batch.srcPort[row] = ports >>> 16;
    batch.dstPort[row] = ports & 0xffff;
  }
  return OK;
}
