/**
 * sFlow version 5 (sflow.org, "sFlow Version 5", 2004): switches sample one packet in N on their ports and
 * send what they sampled, with the rate, in UDP datagrams (port 6343 by convention). All fields are XDR:
 * 32-bit big-endian words, opaque data padded to a multiple of four octets.
 *
 *   datagram  version (5), agent address type (1 IPv4, 2 IPv6), agent address, sub-agent id, sequence
 *             number, uptime (ms), sample count, samples
 *   sample    data format (enterprise << 12 | format), length, body
 *   0:1 flow sample           sequence, source id, sampling rate, sample pool, drops, input, output,
 *                             record count, flow records
 *   0:3 expanded flow sample  sequence, source id type, source id index, sampling rate, sample pool, drops,
 *                             input format, input, output format, output, record count, flow records
 *   0:2, 0:4 counter samples  each port's interface counters (sflow_counters.ts), handed to the host;
 *                             counted under other_records too (they describe no flow)
 *   flow record  data format, length, body; read: 0:1 sampled header (header protocol, frame length,
 *             stripped, header length, header), 0:3 sampled IPv4, 0:4 sampled IPv6 (length, protocol,
 *             addresses, ports, TCP flags, ToS/priority); others (extended switch, router, gateway …) skipped
 *
 * Each flow sample is one flow record: the sampled packet's key, `rate` packets and `rate` × its IP length
 * octets (the rate the exporter announced, unless FLINTNET_NETFLOW_SAMPLING says otherwise). A sample has no
 * time of its own: it counts when it arrives, and carries no start or end (so two samples of one flow in a
 * datagram are never taken for the same traffic reported twice, as NetFlow v5 twins are).
 */
import { RecordDirection } from "../flow/mod.ts";
import { u32 } from "../net/mod.ts";
import { NetflowMalformed as M } from "./malformed.ts";
import { type DecodeContext, finishRow, type RecordSink } from "./record_decoder.ts";
import {
  COUNTER_SAMPLE,
  EXPANDED_COUNTER_SAMPLE,
  type InterfaceCountersSink,
  readCounterSample,
} from "./sflow_counters.ts";
import {
  readSampledHeader,
  type SampledKey,
  sampledKey,
  setIpv4Addresses,
  setIpv6Addresses,
} from "./sflow_header.ts";

/** The version word of an sFlow v5 datagram. */
export const SFLOW_VERSION = 5;

/** Where the collector hears of what it cannot decode. */
export interface SflowHost extends RecordSink, InterfaceCountersSink {
  /** The first problem of the datagram (a NetflowMalformed reason). */
  problem(reason: number): void;
  /** Samples and records that describe no IP flow (counter samples, a sampled ARP frame …). */
  otherRecords: number;
}

/** Standard (enterprise 0) sample and record formats read here. */
const FLOW_SAMPLE = 1, EXPANDED_FLOW_SAMPLE = 3;
const SAMPLED_HEADER = 1, SAMPLED_IPV4 = 3, SAMPLED_IPV6 = 4;
/** An interface value for "internal, or not known" (sFlow v5, "interface"). */
const IF_UNKNOWN = 0x3fffffff;

/** One key reused for every sample (no allocation per sample). */
const key: SampledKey = sampledKey();

/**
 * Decodes the `count` samples at `b[pos, end)` into `host`'s batch, with the exporter, domain and time in
 * `c`. A sample or record that claims more octets than there are ends the datagram (RecordOverrun).
 */
export function decodeSflowSamples(
  b: Uint8Array,
  pos: number,
  end: number,
  count: number,
  c: DecodeContext,
  host: SflowHost,
): void {
  for (let i = 0; i < count; i++) {
    if (pos + 8 > end) return host.problem(M.RecordOverrun);
    const format = u32(b, pos), length = u32(b, pos + 4), body = pos + 8;
    if (length > end - body) return host.problem(M.RecordOverrun);
    pos = body + length;
    if (format === FLOW_SAMPLE || format === EXPANDED_FLOW_SAMPLE) {
      const ok = flowSample(b, body, pos, format === EXPANDED_FLOW_SAMPLE, c, host);
      if (!ok) return host.problem(M.RecordOverrun);
      continue;
    }
    host.otherRecords++; // counter samples describe no flow; enterprises' own samples are not read
    if (format === COUNTER_SAMPLE || format === EXPANDED_COUNTER_SAMPLE) {
      const expanded = format === EXPANDED_COUNTER_SAMPLE;
      const at = { exporter: c.exporter.address, uptimeMs: c.receivedMs - c.uptimeBaseMs };
      const ok = readCounterSample(b, body, pos, expanded, at, host);
      if (!ok) return host.problem(M.RecordOverrun);
    }
  }
}

/** One flow sample `b[p, end)`; false when its records run past it. */
function flowSample(
  b: Uint8Array,
  p: number,
  end: number,
  expanded: boolean,
  c: DecodeContext,
  host: SflowHost,
): boolean {
  const fixed = expanded ? 44 : 32;
  if (p + fixed > end) return false;
  let rate: number, inIf: number, outIf: number;
  if (expanded) {
    rate = u32(b, p + 12);
    inIf = u32(b, p + 24) === 0 ? u32(b, p + 28) : 0; // format 0: an ifIndex
    outIf = u32(b, p + 32) === 0 ? u32(b, p + 36) : 0;
  } else {
    rate = u32(b, p + 8);
    // the top two bits are the format: 0 an ifIndex, 1 a discarded packet, 2 several interfaces
    const input = u32(b, p + 20), output = u32(b, p + 24);
    inIf = input >>> 30 === 0 ? input : 0;
    outIf = output >>> 30 === 0 ? output : 0;
  }
  if (inIf === IF_UNKNOWN) inIf = 0;
  if (outIf === IF_UNKNOWN) outIf = 0;
  const records = u32(b, p + fixed - 4);
  let q = p + fixed, keyed = false;
  for (let i = 0; i < records; i++) {
    if (q + 8 > end) return false;
    const format = u32(b, q), length = u32(b, q + 4), body = q + 8;
    if (length > end - body) return false;
    q = body + length;
    if (!keyed) keyed = flowRecord(b, body, length, format);
  }
  if (!keyed) {
    host.otherRecords++;
    return true;
  }
  const exporter = c.exporter;
  const applied = exporter.samplingOverride || rate || 1;
  let batch = host.batch;
  if (batch.count === batch.capacity) batch = host.flush();
  const r = batch.count, a = r << 2;
  const bytes = key.ipBytes * applied;
  batch.startMs[r] = 0; // no times: see the module comment
  batch.endMs[r] = 0;
  batch.bytes[r] = bytes;
  batch.packets[r] = applied;
  batch.sampling[r] = applied;
  batch.family[r] = key.family;
  for (let w = 0; w < 4; w++) {
    batch.src[a + w] = key.src[w];
    batch.dst[a + w] = key.dst[w];
  }
  batch.srcPort[r] = key.srcPort;
  batch.dstPort[r] = key.dstPort;
  batch.proto[r] = key.proto;
  batch.tcpFlags[r] = key.tcpFlags;
  batch.tos[r] = key.tos;
  batch.vlan[r] = key.vlan;
  batch.inIf[r] = inIf;
  batch.outIf[r] = outIf;
  batch.srcAs[r] = 0;
  batch.dstAs[r] = 0;
  batch.direction[r] = RecordDirection.Unknown;
  finishRow(batch, r, c);
  const k = exporter.counters;
  k.records++;
  k.bytes += bytes;
  k.packets += applied;
  return true;
}

/** Reads the key from one flow record `b[p, p + length)` into `key`; false when it gives none. */
function flowRecord(b: Uint8Array, p: number, length: number, format: number): boolean {
  if (format === SAMPLED_HEADER) {
    if (length < 16) return false;
    const size = u32(b, p + 12);
    if (size > length - 16) return false;
    return readSampledHeader(b, p + 16, size, u32(b, p), key);
  }
  if (format === SAMPLED_IPV4) {
    if (length < 32) return false;
    setIpv4Addresses(key, u32(b, p + 8), u32(b, p + 12));
    return sampledIp(b, p, 16, 28);
  }
  if (format === SAMPLED_IPV6) {
    if (length < 56) return false;
    setIpv6Addresses(key, b, p + 8);
    return sampledIp(b, p, 40, 52);
  }
  return false;
}

/** The fields sampled IPv4 and IPv6 records share: length, protocol, then ports, flags, ToS/priority. */
function sampledIp(b: Uint8Array, p: number, ports: number, tos: number): boolean {
  key.ipBytes = u32(b, p);
  key.proto = u32(b, p + 4) & 0xff;
  key.srcPort = u32(b, p + ports) & 0xffff;
  key.dstPort = u32(b, p + ports + 4) & 0xffff;
  key.tcpFlags = u32(b, p + ports + 8) & 0xff;
  key.tos = u32(b, p + tos) & 0xff;
  key.vlan = 0;
  return true;
}
