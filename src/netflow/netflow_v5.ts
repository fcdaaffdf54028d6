/**
 * NetFlow version 5: a 24-octet header and up to 30 fixed 48-octet records (Cisco, "NetFlow Export
 * Datagram Format", https://www.cisco.com/c/en/us/td/docs/net_mgmt/netflow_collection_engine/3-6/user/guide/format.html#wp1006108).
 *
 *   header  0 version   2 count   4 sysUptime (ms)   8 unix_secs   12 unix_nsecs   16 flow_sequence
 *           20 engine_type   21 engine_id   22 sampling (2 bits mode, 14 bits interval)
 *   record  0 srcaddr   4 dstaddr   8 nexthop   12 input   14 output   16 dPkts   20 dOctets   24 first
 *           28 last   32 srcport   34 dstport   36 pad   37 tcp_flags   38 prot   39 tos   40 src_as
 *           42 dst_as   44 src_mask   45 dst_mask   46 pad
 */
import { RecordDirection } from "../flow/mod.ts";
import { u16, u32 } from "../net/mod.ts";
import { type DecodeContext, finishRow, type RecordSink } from "./record_decoder.ts";
import { NetflowMalformed as M } from "./malformed.ts";

/** Octets of the v5 header. */
export const V5_HEADER = 24;
/** Octets of one v5 record. */
export const V5_RECORD = 48;

/**
 * Decodes the records of a v5 datagram whose domain and times are in `c` (the caller read the header,
 * checked the length and set the kind). Returns the records decoded.
 */
export function decodeV5Records(b: Uint8Array, count: number, c: DecodeContext, sink: RecordSink): number {
  const exporter = c.exporter;
  const rate = exporter.samplingOverride || c.domain.samplingRate || 1;
  let sumBytes = 0, sumPackets = 0;
  for (let i = 0, p = V5_HEADER; i < count; i++, p += V5_RECORD) {
    let batch = sink.batch;
    if (batch.count === batch.capacity) batch = sink.flush();
    const r = batch.count, a = r << 2;
    const proto = b[p + 38];
    let sport = u16(b, p + 32), dport = u16(b, p + 34);
    // ICMP type << 8 | code travels in the destination port; Flintnet's key holds them where capture does.
    if ((proto === 1 || proto === 58) && sport === 0) {
      sport = dport >>> 8;
      dport &= 0xff;
    }
    const bytes = u32(b, p + 20) * rate, packets = u32(b, p + 16) * rate;
    // first/last are sysUptime readings; the difference to the header's is signed (uptime wraps).
    batch.startMs[r] = c.exportMs + ((u32(b, p + 24) - (c.exportMs - c.uptimeBaseMs)) | 0);
    batch.endMs[r] = c.exportMs + ((u32(b, p + 28) - (c.exportMs - c.uptimeBaseMs)) | 0);
    batch.bytes[r] = bytes;
    batch.packets[r] = packets;
    batch.sampling[r] = rate;
    batch.family[r] = 4;
    batch.src[a] = u32(b, p);
    batch.dst[a] = u32(b, p + 4);
    batch.src[a + 1] = batch.src[a + 2] = batch.src[a + 3] = 0;
    batch.dst[a + 1] = batch.dst[a + 2] = batch.dst[a + 3] = 0;
    batch.srcPort[r] = sport;
    batch.dstPort[r] = dport;
    batch.proto[r] = proto;
    batch.tcpFlags[r] = b[p + 37];
    batch.tos[r] = b[p + 39];
    batch.vlan[r] = 0;
    batch.inIf[r] = u16(b, p + 12);
    batch.outIf[r] = u16(b, p + 14);
    batch.srcAs[r] = u16(b, p + 40);
    batch.dstAs[r] = u16(b, p + 42);
    batch.direction[r] = RecordDirection.Unknown; // v5 has no direction: every record counts what entered
    finishRow(batch, r, c);
    sumBytes += bytes;
    sumPackets += packets;
  }
  const k = exporter.counters;
  k.records += count;
  k.bytes += sumBytes;
  k.packets += sumPackets;
  return count;
}

/** The header's record count, or a NetflowMalformed reason when the datagram cannot hold them. */
export function v5Count(b: Uint8Array, length: number): number {
  if (length < V5_HEADER) return -1 - M.TruncatedHeader;
  const count = u16(b, 2);
  if (count === 0 || V5_HEADER + count * V5_RECORD > length) return -1 - M.BadLength;
  return count;
}
