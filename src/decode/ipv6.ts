/** IPv6 (RFC 8200): fixed header, the extension-header chain, fragments. */
import { u16, u32 } from "../net/mod.ts";
import type { FragmentPorts } from "./fragments.ts";
import { attributeFragment, type FragmentCounters } from "./ipv4.ts";
import { Malformed, OK } from "./malformed.ts";
import type { PacketBatch } from "./packet_batch.ts";
import { decodeTransport, type L4Span } from "./transport.ts";

/** Extension headers walked to find the transport (https://www.iana.org/assignments/ipv6-parameters). */
const HopByHop = 0, Routing = 43, Fragment = 44, Esp = 50, Ah = 51, NoNext = 59, DestOpts = 60;
const Mobility = 135, Hip = 139, Shim6 = 140;
/** A chain longer than this is hostile or broken; real stacks use two or three. */
const MAX_EXTENSION_HEADERS = 12;

/**
 * Decodes the IPv6 packet at `p` into `row`.
 * @param end end of captured bytes
 * @param wireRemain bytes from `p` to the end of the frame on the wire
 */
export function decodeIpv6(
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
  if (p + 40 > end) return Malformed.TruncatedIpv6;
  if (b[p] >> 4 !== 6) return Malformed.BadIpVersion;
  const payloadLength = u16(b, p + 4);
  const a = row << 2;
  batch.family[row] = 6;
  for (let i = 0; i < 4; i++) {
    batch.src[a + i] = u32(b, p + 8 + 4 * i);
    batch.dst[a + i] = u32(b, p + 24 + 4 * i);
  }
  // A zero payload length with a Hop-by-Hop header may be a jumbogram (RFC 2675 carries the real length
  // in a Hop-by-Hop option): take the size from the wire then. Without one it is simply empty.
  const ipBytes = payloadLength === 0 && b[p + 6] === HopByHop ? wireRemain : payloadLength + 40;
  if (ipBytes > wireRemain || ipBytes < 40) return Malformed.TruncatedIpv6;
  batch.ipBytes[row] = ipBytes;
  batch.ttl[row] = b[p + 7]; // hop limit
  const l3End = Math.min(end, p + ipBytes);
  let nh = b[p + 6];
  let q = p + 40;
  for (let n = 0; n <= MAX_EXTENSION_HEADERS; n++) {
    switch (nh) {
      case HopByHop:
      case Routing:
      case DestOpts:
      case Mobility:
      case Hip:
      case Shim6:
        if (q + 2 > l3End) return Malformed.TruncatedIpv6;
        nh = b[q];
        q += (b[q + 1] + 1) << 3; // length in 8-byte units, not counting the first 8
        continue;
      case Ah:
        if (q + 2 > l3End) return Malformed.TruncatedIpv6;
        nh = b[q];
        q += (b[q + 1] + 2) << 2; // length in 4-byte units, minus 2
        continue;
      case Fragment: {
        if (q + 8 > l3End) return Malformed.TruncatedIpv6;
        const offsetFlags = u16(b, q + 2); // offset (13 bits, 8-byte units) | res (2) | M (1)
        const id = u32(b, q + 4);
        nh = b[q];
        q += 8;
        batch.proto[row] = nh;
        if ((offsetFlags & 0xfff8) !== 0) return attributeFragment(batch, row, frags, fc, a, id, nh, 6, span);
        const r = decodeTransport(b, q, l3End, nh, batch, row, ipBytes - (q - p), span);
        if (r === OK && (offsetFlags & 1) !== 0) {
          frags.remember(
            batch.src,
            batch.dst,
            a,
            id,
            nh,
            6,
            batch.srcPort[row],
            batch.dstPort[row],
            batch.tsMs[row],
          );
        }
        return r;
      }
      case Esp:
      case NoNext:
      default:
        batch.proto[row] = nh;
        return decodeTransport(b, q, l3End, nh, batch, row, ipBytes - (q - p), span);
    }
  }
  return Malformed.BadIpv6ExtensionChain;
}
